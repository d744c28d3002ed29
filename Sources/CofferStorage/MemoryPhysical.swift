import Synchronization

/// An in-memory ``PhysicalStorage`` for tests and `-dev` servers; nothing survives the process.
///
/// Values live in one hash table; beside it, every folder (a key prefix ending in `/`) keeps the set of
/// its direct children, so a write touches two hash tables and a `LIST` sorts only the folder it reads.
/// Listings come out in the keys' UTF-8 byte order, the order SQLite produces.
///
/// ```swift
/// let physical = MemoryPhysical()
/// try await physical.put("sys/policy/default", value: bytes)
/// try await physical.list(prefix: "sys/") // ["policy/"]
/// ```
public final class MemoryPhysical: PhysicalStorage {
    /// Storage keys compare as UTF-8 bytes (`String` equality is canonical equivalence). Each key carries
    /// its (seeded, per-process) hash: growing a table of a few hundred thousand keys then rehashes eight
    /// bytes stored inline instead of following every key to its heap buffer, which made a write slower
    /// the more the store held.
    struct Key: Hashable, Comparable {
        let bytes: [UInt8]
        let hashValueOfBytes: Int

        init(_ bytes: [UInt8]) {
            self.bytes = bytes
            var hasher = Hasher()
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
            hashValueOfBytes = hasher.finalize()
        }

        init(_ bytes: ArraySlice<UInt8>) { self.init(Array(bytes)) }

        func hash(into hasher: inout Hasher) {
            hasher.combine(hashValueOfBytes)
        }

        static func == (lhs: Key, rhs: Key) -> Bool {
            lhs.hashValueOfBytes == rhs.hashValueOfBytes && lhs.bytes == rhs.bytes
        }

        static func < (lhs: Key, rhs: Key) -> Bool {
            lhs.bytes.withUnsafeBufferPointer { left in
                rhs.bytes.withUnsafeBufferPointer { right in
                    for index in 0..<min(left.count, right.count) where left[index] != right[index] {
                        return left[index] < right[index]
                    }
                    return left.count < right.count
                }
            }
        }
    }

    /// The direct children of one folder, as full keys sharing the stored keys' buffers: leaf keys, and
    /// sub-folder paths with their trailing `/`. A folder exists exactly while it has a child.
    struct Folder {
        var children: Set<Key> = []
    }

    private struct State {
        var values: [Key: [UInt8]] = [:]
        /// Keyed by the folder's full path with its trailing `/`; the root folder is the empty key.
        var folders: [Key: Folder] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func get(_ key: String) async throws -> [UInt8]? {
        let key = Key(Array(key.utf8))
        return state.withLock { $0.values[key] }
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
        guard prefixBytes.isEmpty || prefixBytes.last == UInt8(ascii: "/") else {
            // A prefix that is not a folder (no caller of the barrier sends one): scan everything.
            let keys = state.withLock { $0.values.keys.sorted() }
            var children = StorageKeys.Children(prefix: prefix)
            for key in keys { children.add(String(decoding: key.bytes, as: UTF8.self)) }
            return children.list
        }
        let children = state.withLock { $0.folders[Key(prefixBytes)]?.children } ?? []
        // Every child starts with the folder's path, so full keys sort as their names do.
        return children.sorted().map { String(decoding: $0.bytes[prefixBytes.count...], as: UTF8.self) }
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
            let key = Key(Array(key.utf8))
            if state.values.updateValue(value, forKey: key) == nil { link(key, in: &state.folders) }
        case .delete(let key):
            let key = Key(Array(key.utf8))
            if state.values.removeValue(forKey: key) != nil { unlink(key, in: &state.folders) }
        }
    }

    /// The folder holding a key, or holding a folder path (with its trailing `/`).
    private static func folder(of path: Key) -> Key {
        let bytes = path.bytes
        let end = bytes.last == UInt8(ascii: "/") ? bytes.count - 1 : bytes.count
        let cut = bytes[..<end].lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
        return Key(bytes[..<cut])
    }

    /// Adds a new key to its folder, creating the folder (and linking it into its parent) when needed.
    private static func link(_ key: Key, in folders: inout [Key: Folder]) {
        var child = key
        while true {
            let folder = folder(of: child)
            let created = folders[folder] == nil
            folders[folder, default: Folder()].children.insert(child)
            guard created, !folder.bytes.isEmpty else { return }
            child = folder
        }
    }

    /// Removes a deleted key from its folder, removing folders left empty from their parents.
    private static func unlink(_ key: Key, in folders: inout [Key: Folder]) {
        var child = key
        while true {
            let folder = folder(of: child)
            folders[folder]?.children.remove(child)
            guard folders[folder]?.children.isEmpty == true else { return }
            folders[folder] = nil
            guard !folder.bytes.isEmpty else { return }
            child = folder
        }
    }
}
