import CofferStorage
import Foundation

/// A write-ahead entry: what an operation that changes something outside Coffer is about to do, stored under `wal/`
/// in the mount's storage before it does it, and deleted once the change is recorded. A crash in between leaves the
/// entry behind, and the backend's ``WALRollback`` undoes it. Vault's `framework.WALEntry`.
///
/// ```swift
/// let id = try await storage.putWAL(kind: "password", data: ["display_name": .string(name)])
/// let added = try await graph.addPassword(objectID: app, displayName: name, endDateTime: expiry)
/// try await storage.put("state", value: record(added))
/// try await storage.deleteWAL(id)            // done: nothing left to undo
/// ```
public struct WALEntry: Sendable, Equatable {
    public var id: String
    /// What kind of change the entry guards; the rollback dispatches on it.
    public var kind: String
    public var data: JSONValue
    /// Seconds since 1970 when the entry was written.
    public var createdAt: Double

    public init(id: String, kind: String, data: JSONValue, createdAt: Double) {
        self.id = id
        self.kind = kind
        self.data = data
        self.createdAt = createdAt
    }

    /// Where entries live in a mount's storage.
    public static let storagePrefix = "wal/"

    /// The stored form: `{"kind": …, "data": …, "created_at": <seconds>}`.
    var stored: JSONValue {
        ["kind": .string(kind), "data": data, "created_at": .double(createdAt)]
    }

    init(id: String, stored bytes: [UInt8]) throws {
        let key = Self.storagePrefix + id
        guard case .object(let object) = try JSONParser.parse(bytes), let kind = object["kind"]?.stringValue,
            let createdAt = object["created_at"]?.doubleValue
        else {
            throw LogicalError(status: 500, messages: ["malformed write-ahead entry \(key)"])
        }
        self.init(id: id, kind: kind, data: object["data"] ?? .null, createdAt: createdAt)
    }
}

extension Storage {
    /// Stores a new write-ahead entry and returns its id (Vault's `framework.PutWAL`).
    public func putWAL(kind: String, data: JSONValue) async throws -> String {
        let entry = WALEntry(
            id: UUID().uuidString.lowercased(), kind: kind, data: data, createdAt: Date().timeIntervalSince1970)
        try await put(WALEntry.storagePrefix + entry.id, value: entry.stored.serialized())
        return entry.id
    }

    /// The entry `id`, or nil once it was deleted.
    public func getWAL(_ id: String) async throws -> WALEntry? {
        guard let bytes = try await get(WALEntry.storagePrefix + id) else { return nil }
        return try WALEntry(id: id, stored: bytes)
    }

    /// Deletes the entry `id`: its operation finished or was rolled back (Vault's `framework.DeleteWAL`).
    public func deleteWAL(_ id: String) async throws {
        try await delete(WALEntry.storagePrefix + id)
    }

    /// The ids of every stored entry (Vault's `framework.ListWAL`).
    public func listWAL() async throws -> [String] {
        try await list(prefix: WALEntry.storagePrefix).filter { !$0.hasSuffix("/") }
    }
}
