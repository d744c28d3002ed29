import CofferFramework

/// An identity entity: one principal, linked to its logins through aliases (docs/identity.md).
public struct Entity: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var metadata: [String: String]
    public var policies: [String]
    public var disabled: Bool
    public var aliases: [EntityAlias]
    public var creationTime: String
    public var lastUpdateTime: String

    public func info() -> [String: JSONValue] {
        [
            "id": .string(id), "name": .string(name), "metadata": .stringMap(metadata.isEmpty ? nil : metadata),
            "policies": .strings(policies), "disabled": .bool(disabled),
            "aliases": .array(aliases.map { .object($0.info()) }),
            "group_ids": [], "direct_group_ids": [], "inherited_group_ids": [], "merged_entity_ids": .null,
            "namespace_id": "root", "creation_time": .string(creationTime), "last_update_time": .string(lastUpdateTime),
        ]
    }
}

/// The link between an entity and one auth mount's name for it.
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

    public func info() -> [String: JSONValue] {
        [
            "id": .string(id), "canonical_id": .string(canonicalID), "mount_accessor": .string(mountAccessor),
            "mount_type": .string(mountType), "mount_path": .string(mountPath), "name": .string(name),
            "metadata": .stringMap(metadata.isEmpty ? nil : metadata), "creation_time": .string(creationTime),
            "last_update_time": .string(lastUpdateTime), "local": false, "custom_metadata": .null,
            "merged_from_canonical_ids": .null,
        ]
    }
}

/// A group alias an auth method reported (e.g. an Entra ID group object id), recorded per mount.
public struct GroupAliasRecord: Sendable, Codable, Equatable {
    public var name: String
    public var mountAccessor: String
    public var entityIDs: [String]
}
