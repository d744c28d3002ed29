import CofferFramework

/// An identity group (docs/identity.md § Groups). Internal groups list their members; an external group's members
/// are the entities whose latest login through its alias's mount reported the alias name (an Entra group id).
///
/// ```swift
/// let group = try await identity.group(id: id)
/// group?.policies   // granted to every member's tokens, evaluated per request
/// ```
public struct IdentityGroup: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case `internal`, external }

    public var id: String
    public var name: String
    public var type: Kind
    public var policies: [String]
    public var metadata: [String: String]
    public var memberEntityIDs: [String]
    public var memberGroupIDs: [String]
    /// Groups listing this one in `memberGroupIDs`; kept so a member's inherited policies need no scan.
    public var parentGroupIDs: [String]
    public var alias: GroupAlias?
    public var creationTime: String
    public var lastUpdateTime: String
    public var modifyIndex: Int

    public func info() -> [String: JSONValue] {
        [
            "id": .string(id), "name": .string(name), "type": .string(type.rawValue), "policies": .strings(policies),
            "member_entity_ids": memberEntityIDs.isEmpty ? .null : .strings(memberEntityIDs),
            "member_group_ids": memberGroupIDs.isEmpty ? .null : .strings(memberGroupIDs),
            "parent_group_ids": parentGroupIDs.isEmpty ? .null : .strings(parentGroupIDs),
            "metadata": .stringMap(metadata.isEmpty ? nil : metadata), "creation_time": .string(creationTime),
            "last_update_time": .string(lastUpdateTime), "modify_index": .int(Int64(modifyIndex)),
            "namespace_id": "root", "alias": alias.map { .object($0.info()) } ?? .object([:]),
        ]
    }

    /// The `key_info` entry of group lists.
    func listInfo() -> JSONValue {
        var info: [String: JSONValue] = [
            "name": .string(name), "num_member_entities": .int(Int64(memberEntityIDs.count)),
            "num_parent_groups": .int(Int64(parentGroupIDs.count)),
        ]
        if let alias {
            info["alias"] = [
                "id": .string(alias.id), "name": .string(alias.name), "mount_accessor": .string(alias.mountAccessor),
                "mount_type": .string(alias.mountType), "mount_path": .string(alias.mountPath),
            ]
        }
        return .object(info)
    }
}
