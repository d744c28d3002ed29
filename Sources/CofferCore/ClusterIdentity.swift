import CofferFramework
import CofferStorage

/// The cluster's name and id, made at the first unseal and kept in storage so they survive restarts (as Vault's
/// `cluster_name`/`cluster_id` in `sys/seal-status` and `sys/health`). A configured `cluster_name` replaces the
/// stored name.
///
/// ```swift
/// let identity = try await ClusterIdentity.load(storage: barrier, configuredName: "prod-east")
/// identity.name   // "prod-east" (or "vault-cluster-1a2b3c4d" when none was configured)
/// ```
public struct ClusterIdentity: Sendable, Equatable {
    public var name: String
    public var id: String

    /// Storage key, inside the barrier.
    static let path = "core/cluster/local/info"

    /// The stored identity (created and stored when absent), with `configuredName` applied and stored.
    static func load(storage: any Storage, configuredName: String?) async throws -> ClusterIdentity {
        var identity =
            try await stored(storage) ?? ClusterIdentity(name: "vault-cluster-" + Hex.random8(), id: Hex.uuid())
        let before = try await stored(storage)
        if let configuredName, !configuredName.isEmpty { identity.name = configuredName }
        if before != identity {
            let record: JSONValue = ["name": .string(identity.name), "id": .string(identity.id)]
            try await storage.put(path, value: record.serialized())
        }
        return identity
    }

    /// The stored identity without creating one: what an HA standby reports before it was ever active.
    static func stored(_ storage: any Storage) async throws -> ClusterIdentity? {
        guard let bytes = try await storage.get(path),
            let record = try? JSONParser.parse(bytes).objectValue,
            let name = record["name"]?.stringValue, let id = record["id"]?.stringValue
        else { return nil }
        return ClusterIdentity(name: name, id: id)
    }
}
