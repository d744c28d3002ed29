import Synchronization

/// An in-memory ``PhysicalStorage`` for tests and `-dev` servers; nothing survives the process.
///
/// Each key is one ``Record`` (its hex-packed key and its value in a single `malloc` block) in an open-addressing
/// ``RecordTable``: a stored token's four keys and their sealed values take ~1.1 KB (Benchmarks/memory).
/// Beside the table, every folder (a key prefix ending in `/`) counts its direct children, and a folder that has
/// been listed also keeps the set of them, so a `LIST` sorts only the folder it reads. Folders nobody lists (the
/// token store's, which grow with every login) cost a counter per write rather than a second large hash table;
/// the first `LIST` of a folder scans the keys once. Listings come out in the keys' UTF-8 byte order, the order
/// SQLite produces.
///
/// ```swift
/// let physical = MemoryPhysical()
/// try await physical.put("sys/policy/default", value: bytes)
/// try await physical.list(prefix: "sys/") // ["policy/"]
/// ```
public final class MemoryPhysical: PhysicalStorage {
    /// A folder path or a listed child, as unpacked UTF-8 bytes (`String` equality is canonical equivalence),
    /// with its (seeded, per-process) hash stored inline.
    ///
    /// A folder's key is a prefix of the key written when the folder appeared, sharing that key's buffer; the
    /// length is stored rather than an `ArraySlice`, which would make every table entry 16 bytes larger.
    struct Key: Hashable, Comparable {
        private let storage: [UInt8]
        private let count: Int
        let hashValueOfBytes: Int

        /// The key's bytes (indices from zero).
        var bytes: ArraySlice<UInt8> { storage[..<count] }

        init(_ bytes: [UInt8]) { self.init(bytes, prefix: bytes.count) }

        /// The first `prefix` bytes of `storage`.
        init(_ storage: [UInt8], prefix: Int) {
            self.storage = storage
            self.count = prefix
            var hasher = Hasher()
            storage.withUnsafeBytes { hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: $0[..<prefix])) }
            hashValueOfBytes = hasher.finalize()
        }

        /// A prefix of this key.
        func prefix(_ length: Int) -> Key { Key(storage, prefix: length) }

        /// The bytes after the first `count`.
        func dropping(_ count: Int) -> ArraySlice<UInt8> { bytes.dropFirst(count) }

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

    /// One folder: how many direct children it has (leaf keys and sub-folders), and once listed, the
    /// children themselves as full unpacked keys (sub-folders as paths with their trailing `/`). A folder
    /// exists exactly while it has a child.
    struct Folder {
        var count = 0
        var children: Set<Key>? = nil
    }

    private struct State: ~Copyable {
        var records = RecordTable()
        /// Keyed by the folder's full path with its trailing `/`; the root folder is the empty key.
        var folders: [Key: Folder] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func get(_ key: String) async throws -> [UInt8]? {
        let packed = PackedKey.pack(Array(key.utf8))
        let hash = Self.hash(packed)
        return state.withLock { state in packed.withUnsafeBufferPointer { state.records.find($0, hash: hash)?.value } }
    }

    public func put(_ key: String, value: [UInt8]) async throws {
        try await transaction([.put(key: key, value: value)])
    }

    public func delete(_ key: String) async throws {
        try await transaction([.delete(key: key)])
    }

    /// The hash a packed key is stored under (the low 32 bits of its seeded hash).
    static func hash(_ packed: [UInt8]) -> UInt32 {
        var hasher = Hasher()
        packed.withUnsafeBytes { hasher.combine(bytes: $0) }
        return UInt32(truncatingIfNeeded: hasher.finalize())
    }

    public func list(prefix: String) async throws -> [String] {
        let prefixBytes = Array(prefix.utf8)
        guard prefixBytes.isEmpty || prefixBytes.last == UInt8(ascii: "/") else {
            // A prefix ending inside a name ("a/b/c"): the enclosing folder's children that start with that stem,
            // less the stem, so the cost follows the folder's size rather than the whole store's.
            let cut = prefixBytes.lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
            let stem = prefixBytes[cut...]
            return try await list(prefix: String(decoding: prefixBytes[..<cut], as: UTF8.self)).compactMap { name in
                let utf8 = Array(name.utf8)
                guard utf8.count > stem.count, utf8.starts(with: stem) else { return nil }
                return String(decoding: utf8.dropFirst(stem.count), as: UTF8.self)
            }
        }
        let folder = Key(prefixBytes)
        let children = state.withLock { state -> Set<Key> in
            guard let existing = state.folders[folder] else { return [] }
            if let children = existing.children { return children }
            let children = Self.scanChildren(of: folder, in: state)
            state.folders[folder]?.children = children
            return children
        }
        // Every child starts with the folder's path, so full keys sort as their names do.
        return children.sorted().map { String(decoding: $0.dropping(prefixBytes.count), as: UTF8.self) }
    }

    /// The direct children of `folder`, from every stored key (the first listing of a folder).
    private static func scanChildren(of folder: Key, in state: borrowing State) -> Set<Key> {
        var children: Set<Key> = []
        let prefix = folder.bytes
        for record in state.records.records {
            let raw = record.rawKey
            guard raw.count > prefix.count, raw.starts(with: prefix) else { continue }
            let key = Key(raw)
            if let slash = key.dropping(prefix.count).firstIndex(of: UInt8(ascii: "/")) {
                children.insert(key.prefix(slash + 1))
            } else {
                children.insert(key)
            }
        }
        return children
    }

    /// One operation made ready outside the lock: its key packed and hashed.
    private enum PreparedOperation {
        case put(packed: [UInt8], hash: UInt32, key: [UInt8], value: [UInt8])
        case delete(packed: [UInt8], hash: UInt32, key: [UInt8])
    }

    /// Validates and prepares the whole batch before touching anything, then applies it under one lock hold,
    /// so readers see all of it or none of it.
    public func transaction(_ operations: [StorageOperation]) async throws {
        try StorageKeys.validate(operations)
        let prepared = try operations.map { operation -> PreparedOperation in
            switch operation {
            case .put(let key, let value):
                let raw = Array(key.utf8)
                let packed = PackedKey.pack(raw)
                guard Record.fits(key: packed, value: value) else {
                    throw StorageError.backend("value too large for the in-memory store")
                }
                return .put(packed: packed, hash: Self.hash(packed), key: raw, value: value)
            case .delete(let key):
                let raw = Array(key.utf8)
                let packed = PackedKey.pack(raw)
                return .delete(packed: packed, hash: Self.hash(packed), key: raw)
            }
        }
        state.withLock { state in
            for operation in prepared { Self.apply(operation, to: &state) }
        }
    }

    private static func apply(_ operation: PreparedOperation, to state: inout State) {
        switch operation {
        case .put(let packed, let hash, let key, let value):
            let record = Record.make(key: packed, hash: hash, value: value)
            if state.records.insert(record) { link(Key(key), in: &state.folders) }
        case .delete(let packed, let hash, let key):
            if packed.withUnsafeBufferPointer({ state.records.remove($0, hash: hash) }) {
                unlink(Key(key), in: &state.folders)
            }
        }
    }

    /// The folder holding a key, or holding a folder path (with its trailing `/`).
    private static func folder(of path: Key) -> Key {
        let bytes = path.bytes
        let end = bytes.last == UInt8(ascii: "/") ? bytes.endIndex - 1 : bytes.endIndex
        let cut = bytes[..<end].lastIndex(of: UInt8(ascii: "/")).map { $0 + 1 } ?? 0
        return path.prefix(cut)
    }

    /// Adds a new key to its folder, creating the folder (and linking it into its parent) when needed.
    private static func link(_ key: Key, in folders: inout [Key: Folder]) {
        var child = key
        while true {
            let folder = folder(of: child)
            // One hash lookup for an existing folder (every login's keys land in existing ones), not three.
            if let index = folders.index(forKey: folder) {
                folders.values[index].count += 1
                folders.values[index].children?.insert(child)
                return
            }
            folders[folder] = Folder(count: 1)
            guard !folder.bytes.isEmpty else { return }
            child = folder
        }
    }

    /// Removes a deleted key from its folder, removing folders left empty from their parents.
    private static func unlink(_ key: Key, in folders: inout [Key: Folder]) {
        var child = key
        while true {
            let folder = folder(of: child)
            guard let count = folders[folder]?.count else { return }
            guard count <= 1 else {
                folders[folder]?.count = count - 1
                folders[folder]?.children?.remove(child)
                return
            }
            folders[folder] = nil
            guard !folder.bytes.isEmpty else { return }
            child = folder
        }
    }
}
