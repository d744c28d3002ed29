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
    /// Storage keys compare as UTF-8 bytes (`String` equality is canonical equivalence), and hash in one
    /// call over the bytes rather than byte by byte as `[UInt8]` does.
    struct Key: Hashable, Comparable {
        let bytes: [UInt8]

        init(_ bytes: [UInt8]) { self.bytes = bytes }
        init(_ bytes: ArraySlice<UInt8>) { self.bytes = Array(bytes) }

        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
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

    /// The direct children of one folder: leaf names, and sub-folder names with their trailing `/`.
    /// A folder exists exactly while it has a child.
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
        let names = state.withLock { $0.folders[Key(prefixBytes)]?.children } ?? []
        return names.sorted().map { String(decoding: $0.bytes, as: UTF8.self) }
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
            if state.values.updateValue(value, forKey: Key(bytes)) == nil { link(bytes, in: &state.folders) }
        case .delete(let key):
            let bytes = Array(key.utf8)
            if state.values.removeValue(forKey: Key(bytes)) != nil { unlink(bytes, in: &state.folders) }
        }
    }

    /// Splits a key (or a folder path with its trailing `/`) into its parent folder and its name there.
    private static func split(_ path: [UInt8]) -> (folder: Key, name: Key) {
        let end = path.last == UInt8(ascii: "/") ? path.count - 1 : path.count
        let cut = path[..<end].lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
        return (Key(path[..<cut]), Key(path[cut...]))
    }

    /// Adds a new key to its folder, creating the folder (and linking it into its parent) when needed.
    private static func link(_ path: [UInt8], in folders: inout [Key: Folder]) {
        var path = path
        while true {
            let (folder, name) = split(path)
            let created = folders[folder] == nil
            folders[folder, default: Folder()].children.insert(name)
            guard created, !folder.bytes.isEmpty else { return }
            path = folder.bytes
        }
    }

    /// Removes a deleted key from its folder, removing folders left empty from their parents.
    private static func unlink(_ path: [UInt8], in folders: inout [Key: Folder]) {
        var path = path
        while true {
            let (folder, name) = split(path)
            folders[folder]?.children.remove(name)
            guard folders[folder]?.children.isEmpty == true else { return }
            folders[folder] = nil
            guard !folder.bytes.isEmpty else { return }
            path = folder.bytes
        }
    }
}
