import CofferFramework

/// The name an auth mount reports for an external group (for Azure, an Entra group object id in the `groups`
/// claim), linked to the group it stands for.
///
/// ```swift
/// // POST identity/group-alias {"name":"<Entra group id>","mount_accessor":"auth_azure_…","canonical_id":"<group>"}
/// let groupID = try await identity.groupID(aliasName: "<Entra group id>", mountAccessor: accessor)
/// ```
public struct GroupAlias: Sendable, Codable, Equatable {
    public var id: String
    public var canonicalID: String
    public var mountAccessor: String
    public var mountType: String
    public var mountPath: String
    public var name: String
    public var creationTime: String
    public var lastUpdateTime: String

    public func info() -> [String: JSONValue] {
        [
            "id": .string(id), "canonical_id": .string(canonicalID), "mount_accessor": .string(mountAccessor),
            "mount_type": .string(mountType), "mount_path": .string(mountPath), "metadata": .null,
            "name": .string(name), "merged_from_canonical_ids": .null, "creation_time": .string(creationTime),
            "last_update_time": .string(lastUpdateTime), "namespace_id": "root", "local": false,
        ]
    }
}
