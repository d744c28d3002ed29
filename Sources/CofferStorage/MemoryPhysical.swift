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
    /// Values by key, plus the keys in byte order split into bounded chunks: lookups hash, inserts
    /// and deletes move at most one chunk, and listing is a contiguous scan.
    private struct State {
        // Keyed by UTF-8 bytes: `String` equality is canonical equivalence, storage keys compare bytes.
        var values: [[UInt8]: [UInt8]] = [:]
        var chunks: [[[UInt8]]] = []
    }

    private static let chunkLimit = 512
    private let state = Mutex(State())

    public init() {}

    public func get(_ key: String) async throws -> [UInt8]? {
        let bytes = Array(key.utf8)
        return state.withLock { $0.values[bytes] }
    }

    public func put(_ key: String, value: [UInt8]) async throws {
        try StorageKeys.validate(key)
        state.withLock { Self.apply(.put(key: key, value: value), to: &$0) }
    }

    public func delete(_ key: String) async throws {
        try StorageKeys.validate(key)
        state.withLock { Self.apply(.delete(key: key), to: &$0) }
    }

    public func list(prefix: String) async throws -> [String] {
        let prefixBytes = Array(prefix.utf8)
        let keys: [[UInt8]] = state.withLock { state in
            var keys: [[UInt8]] = []
            var (chunk, index) = Self.position(prefixBytes, in: state.chunks)
            while chunk < state.chunks.count {
                let keysInChunk = state.chunks[chunk]
                while index < keysInChunk.count {
                    guard keysInChunk[index].starts(with: prefixBytes) else { return keys }
                    keys.append(keysInChunk[index])
                    index += 1
                }
                chunk += 1
                index = 0
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
        state.withLock { state in
            for operation in operations { Self.apply(operation, to: &state) }
        }
    }

    private static func apply(_ operation: StorageOperation, to state: inout State) {
        switch operation {
        case .put(let key, let value):
            let bytes = Array(key.utf8)
            if state.values.updateValue(value, forKey: bytes) == nil { insertKey(bytes, into: &state.chunks) }
        case .delete(let key):
            let bytes = Array(key.utf8)
            if state.values.removeValue(forKey: bytes) != nil { removeKey(bytes, from: &state.chunks) }
        }
    }

    private static func insertKey(_ key: [UInt8], into chunks: inout [[[UInt8]]]) {
        guard !chunks.isEmpty else {
            chunks = [[key]]
            return
        }
        var (chunk, index) = position(key, in: chunks)
        if chunk == chunks.count {
            chunk -= 1
            index = chunks[chunk].count
        }
        chunks[chunk].insert(key, at: index)
        if chunks[chunk].count > chunkLimit {
            let upper = Array(chunks[chunk][(chunkLimit / 2)...])
            chunks[chunk].removeSubrange((chunkLimit / 2)...)
            chunks.insert(upper, at: chunk + 1)
        }
    }

    private static func removeKey(_ key: [UInt8], from chunks: inout [[[UInt8]]]) {
        let (chunk, index) = position(key, in: chunks)
        guard chunk < chunks.count, index < chunks[chunk].count, chunks[chunk][index] == key else { return }
        chunks[chunk].remove(at: index)
        if chunks[chunk].isEmpty { chunks.remove(at: chunk) }
    }

    /// The chunk and index of the first key not less than `key` (`chunks.count` when past the end).
    private static func position(_ key: [UInt8], in chunks: [[[UInt8]]]) -> (Int, Int) {
        var low = 0
        var high = chunks.count
        while low < high {
            let mid = (low + high) / 2
            if chunks[mid].last!.lexicographicallyPrecedes(key) { low = mid + 1 } else { high = mid }
        }
        guard low < chunks.count else { return (chunks.count, 0) }
        let keys = chunks[low]
        var first = 0
        var last = keys.count
        while first < last {
            let mid = (first + last) / 2
            if keys[mid].lexicographicallyPrecedes(key) { first = mid + 1 } else { last = mid }
        }
        return (low, first)
    }
}
