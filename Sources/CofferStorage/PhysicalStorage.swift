import Foundation

/// One write in a ``PhysicalStorage/transaction(_:)`` batch.
public enum StorageOperation: Sendable, Equatable {
    case put(key: String, value: [UInt8])
    case delete(key: String)

    public var key: String {
        switch self {
        case .put(let key, _), .delete(let key): return key
        }
    }

    /// The value a put leaves, or nil for a delete.
    public var value: [UInt8]? {
        switch self {
        case .put(_, let value): return value
        case .delete: return nil
        }
    }
}

/// The key/value contract every storage backend implements.
///
/// Keys are `/`-separated paths. `list(prefix:)` returns the immediate children of `prefix`:
/// leaf keys by name and "folders" with a trailing `/`, sorted, without duplicates — the same
/// contract as Vault's physical backends.
///
/// ```swift
/// let physical = try await SQLitePhysical.open(path: "coffer.db", logger: logger)
/// try await physical.put("core/mounts", value: bytes)
/// let children = try await physical.list(prefix: "logical/") // ["0f3c…/", …]
/// ```
public protocol PhysicalStorage: Sendable {
    func get(_ key: String) async throws -> [UInt8]?
    func put(_ key: String, value: [UInt8]) async throws
    func delete(_ key: String) async throws
    func list(prefix: String) async throws -> [String]
    /// Applies every operation atomically: all of them are durable, or none.
    func transaction(_ operations: [StorageOperation]) async throws
    /// Forgets values cached in memory, for a node that becomes the writer of a store others wrote meanwhile (HA).
    func purgeCachedReads()
}

extension PhysicalStorage {
    /// A store without a read cache has nothing to forget.
    public func purgeCachedReads() {}
}

/// Storage as the core and backends see it: values are plaintext here and encrypted below
/// (by the ``Barrier``). Same listing contract as ``PhysicalStorage``.
public protocol Storage: Sendable {
    func get(_ key: String) async throws -> [UInt8]?
    func put(_ key: String, value: [UInt8]) async throws
    func delete(_ key: String) async throws
    func list(prefix: String) async throws -> [String]
    func transaction(_ operations: [StorageOperation]) async throws
}

extension Storage {
    /// Decodes a JSON value stored at `key`, or `nil` when absent.
    public func getJSON<T: Decodable>(_ type: T.Type, _ key: String) async throws -> T? {
        guard let bytes = try await get(key) else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(bytes))
    }

    /// Stores `value` as JSON at `key`.
    public func putJSON<T: Encodable>(_ key: String, _ value: T) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await put(key, value: Array(try encoder.encode(value)))
    }

    /// Lists every key under `prefix` recursively (leaf keys only, relative to `prefix`).
    public func listRecursive(prefix: String) async throws -> [String] {
        var result: [String] = []
        var pending = [""]
        while let folder = pending.popLast() {
            for child in try await list(prefix: prefix + folder) {
                if child.hasSuffix("/") {
                    pending.append(folder + child)
                } else {
                    result.append(folder + child)
                }
            }
        }
        return result.sorted()
    }
}

/// A view of a ``Storage`` under a fixed prefix, so a mount sees only its own keys.
///
/// ```swift
/// let view = StorageView(barrier, prefix: "logical/\(mount.uuid)/")
/// try await view.put("config", value: bytes)   // stored at logical/<uuid>/config
/// ```
public struct StorageView: Storage {
    public let base: any Storage
    public let prefix: String

    public init(_ base: any Storage, prefix: String) {
        self.base = base
        self.prefix = prefix
    }

    public func get(_ key: String) async throws -> [UInt8]? { try await base.get(prefix + key) }
    public func put(_ key: String, value: [UInt8]) async throws { try await base.put(prefix + key, value: value) }
    public func delete(_ key: String) async throws { try await base.delete(prefix + key) }
    public func list(prefix: String) async throws -> [String] { try await base.list(prefix: self.prefix + prefix) }
    public func transaction(_ operations: [StorageOperation]) async throws {
        try await base.transaction(
            operations.map {
                switch $0 {
                case .put(let key, let value): return .put(key: prefix + key, value: value)
                case .delete(let key): return .delete(key: prefix + key)
                }
            })
    }
}

/// Errors raised by storage and the barrier.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The barrier has no key (not initialised or sealed).
    case sealed
    /// A stored value failed authentication: wrong key, tampered data, or moved to another path.
    case corrupt(key: String)
    /// A value was encrypted with a key term the keyring does not hold.
    case unknownKeyTerm(UInt32)
    /// The seal key could not be read or has the wrong size.
    case invalidSealKey(String)
    case backend(String)
    /// The storage could not be reached in time (a database outage); the HTTP layer answers 503. The write's outcome
    /// may be unknown: it failed, or committed without an answer.
    case unavailable(String)

    public var description: String {
        switch self {
        case .sealed: return "Vault is sealed"
        case .corrupt(let key): return "stored value at \(key) failed authentication"
        case .unknownKeyTerm(let term): return "no encryption key for term \(term)"
        case .invalidSealKey(let why): return "invalid seal key: \(why)"
        case .backend(let why): return "storage error: \(why)"
        case .unavailable(let why): return "storage unavailable: \(why)"
        }
    }
}
