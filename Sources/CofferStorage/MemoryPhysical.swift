import Synchronization

/// An in-memory ``PhysicalStorage`` for tests and `-dev` servers; nothing survives the process.
///
/// Entries are kept in one array sorted by the keys' UTF-8 bytes, so lookups are binary searches
/// and listing is a contiguous scan — the same order SQLite produces.
///
/// ```swift
/// let physical = MemoryPhysical()
/// try await physical.put("sys/policy/default", value: bytes)
/// try await physical.list(prefix: "sys/") // ["policy/"]
/// ```
public final class MemoryPhysical: PhysicalStorage {
    private struct Entry {
        var key: [UInt8]
        var value: [UInt8]
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    public func get(_ key: String) async throws -> [UInt8]? {
        let bytes = Array(key.utf8)
        return entries.withLock { entries in
            let index = Self.lowerBound(bytes, in: entries)
            return index < entries.count && entries[index].key == bytes ? entries[index].value : nil
        }
    }

    public func put(_ key: String, value: [UInt8]) async throws {
        try StorageKeys.validate(key)
        entries.withLock { Self.apply(.put(key: key, value: value), to: &$0) }
    }

    public func delete(_ key: String) async throws {
        try StorageKeys.validate(key)
        entries.withLock { Self.apply(.delete(key: key), to: &$0) }
    }

    public func list(prefix: String) async throws -> [String] {
        let prefixBytes = Array(prefix.utf8)
        let keys: [[UInt8]] = entries.withLock { entries in
            var index = Self.lowerBound(prefixBytes, in: entries)
            var keys: [[UInt8]] = []
            while index < entries.count, entries[index].key.starts(with: prefixBytes) {
                keys.append(entries[index].key)
                index += 1
            }
            return keys
        }
        var children = StorageKeys.Children(prefix: prefix)
        for key in keys { children.add(String(decoding: key, as: UTF8.self)) }
        return children.list
    }

    /// Validates the whole batch before touching anything, then applies it under one lock hold,
    /// so readers see all of it or none of it.
    public func transaction(_ operations: [StorageOperation]) async throws {
        try StorageKeys.validate(operations)
        entries.withLock { entries in
            for operation in operations { Self.apply(operation, to: &entries) }
        }
    }

    private static func apply(_ operation: StorageOperation, to entries: inout [Entry]) {
        switch operation {
        case .put(let key, let value):
            let bytes = Array(key.utf8)
            let index = lowerBound(bytes, in: entries)
            if index < entries.count && entries[index].key == bytes {
                entries[index].value = value
            } else {
                entries.insert(Entry(key: bytes, value: value), at: index)
            }
        case .delete(let key):
            let bytes = Array(key.utf8)
            let index = lowerBound(bytes, in: entries)
            if index < entries.count && entries[index].key == bytes { entries.remove(at: index) }
        }
    }

    /// Index of the first entry whose key is not less than `key`.
    private static func lowerBound(_ key: [UInt8], in entries: [Entry]) -> Int {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].key.lexicographicallyPrecedes(key) { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
