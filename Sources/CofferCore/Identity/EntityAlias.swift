import CofferFramework

/// The link between an entity and one auth mount's name for it.
///
/// ```swift
/// entity.aliases.first { $0.mountAccessor == mount.accessor }?.name   // e.g. the Azure principal's `oid`
/// ```
public struct EntityAlias: Sendable, Codable, Equatable {
    public var id: String
    public var canonicalID: String
    public var mountAccessor: String
    public var mountType: String
    public var mountPath: String
    public var name: String
    public var metadata: [String: String]
    public var creationTime: String
    public var lastUpdateTime: String
    /// Set by operators through `identity/entity-alias` (auth methods set `metadata`).
    public var customMetadata: [String: String]? = nil
    public var mergedFromCanonicalIDs: [String]? = nil

    public func info() -> [String: JSONValue] {
        [
            "id": .string(id), "canonical_id": .string(canonicalID), "mount_accessor": .string(mountAccessor),
            "mount_type": .string(mountType), "mount_path": .string(mountPath), "name": .string(name),
            "metadata": .stringMap(metadata.isEmpty ? nil : metadata), "creation_time": .string(creationTime),
            "last_update_time": .string(lastUpdateTime), "local": false,
            "custom_metadata": .stringMap(customMetadata?.isEmpty == false ? customMetadata : nil),
            "merged_from_canonical_ids": mergedFromCanonicalIDs.map { .strings($0) } ?? .null,
            "namespace_id": "root",
        ]
    }

    /// The short form in list `key_info`.
    func listInfo() -> JSONValue {
        [
            "id": .string(id), "name": .string(name), "mount_accessor": .string(mountAccessor),
            "mount_type": .string(mountType), "mount_path": .string(mountPath),
        ]
    }
}
