import CofferFramework

/// An identity entity: one principal, linked to its logins through aliases (docs/identity.md).
///
/// ```swift
/// let entity = try await identity.entity(id: entry.entityID)
/// entity?.groupIDs   // the groups that list it directly (internal, or external through a login's group aliases)
/// ```
public struct Entity: Sendable, Codable, Equatable {
    public var id: String
    public var name: String
    public var metadata: [String: String]
    public var policies: [String]
    public var disabled: Bool
    public var aliases: [EntityAlias]
    public var creationTime: String
    public var lastUpdateTime: String
    /// Groups that list this entity in their members; kept beside the group's own list so that a request's
    /// identity policies need no scan of the groups. Optional: entities stored before groups existed lack it.
    public var directGroupIDs: [String]? = nil
    /// Entities merged into this one.
    public var mergedEntityIDs: [String]? = nil

    public var groupIDs: [String] { directGroupIDs ?? [] }

    /// The read shape; `inherited` are the parents of the direct groups, transitively.
    public func info(inheritedGroupIDs inherited: [String] = []) -> [String: JSONValue] {
        [
            "id": .string(id), "name": .string(name), "metadata": .stringMap(metadata.isEmpty ? nil : metadata),
            "policies": .strings(policies), "disabled": .bool(disabled),
            "aliases": .array(aliases.map { .object($0.info()) }),
            "group_ids": .strings(groupIDs + inherited), "direct_group_ids": .strings(groupIDs),
            "inherited_group_ids": .strings(inherited),
            "merged_entity_ids": mergedEntityIDs.map { .strings($0) } ?? .null,
            "namespace_id": "root", "creation_time": .string(creationTime), "last_update_time": .string(lastUpdateTime),
        ]
    }
}
