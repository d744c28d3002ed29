import CofferFramework
import CofferStorage
import Foundation

extension IdentityStore {
    /// The group holding alias `id`, and the alias.
    public func groupAlias(id: String) async throws -> (group: IdentityGroup, alias: GroupAlias)? {
        guard !id.isEmpty, !id.contains("/"), let owner = try await storage.get("group-alias-id/" + id),
            let group = try await self.group(id: String(decoding: owner, as: UTF8.self)), let alias = group.alias,
            alias.id == id
        else { return nil }
        return (group, alias)
    }

    public func groupAliasIDs() async throws -> [String] {
        try await storage.list(prefix: "group-alias-id/").filter { !$0.hasSuffix("/") }
    }

    /// Creates or updates a group alias (`id` given: that alias). Without `canonicalID` a new external group is
    /// created for it; a group has at most one alias, so linking one replaces the group's previous alias.
    public func upsertGroupAlias(id: String?, name: String?, mount: MountEntry?, canonicalID: String?) async throws
        -> (alias: GroupAlias, changed: Bool)
    {
        try await mutate {
            var old: (group: IdentityGroup, alias: GroupAlias)? = nil
            if let id, !id.isEmpty {
                guard let found = try await groupAlias(id: id) else {
                    throw LogicalError.badRequest("invalid group alias ID")
                }
                old = found
            }
            let aliasName = name.flatMap { $0.isEmpty ? nil : $0 } ?? old?.alias.name
            guard let aliasName else { throw LogicalError.badRequest("missing alias name") }
            guard
                let mount = mount.map({ ($0.accessor, $0.type, $0.routePrefix) })
                    ?? old.map({ ($0.alias.mountAccessor, $0.alias.mountType, $0.alias.mountPath) })
            else { throw LogicalError.badRequest("missing mount_accessor") }
            if let ownerID = try await storage.get(Self.groupAliasKey(mount.0, aliasName)),
                String(decoding: ownerID, as: UTF8.self) != old?.group.id
            {
                throw LogicalError.badRequest("combination of mount and group alias name is already in use")
            }
            var change = IdentityChange()
            var target = try await aliasTarget(canonicalID: canonicalID, old: old?.group, change: &change)
            let now = Self.timestamp()
            var alias =
                old?.alias
                ?? GroupAlias(
                    id: Hex.uuid(), canonicalID: target.id, mountAccessor: mount.0, mountType: mount.1,
                    mountPath: mount.2, name: aliasName, creationTime: now, lastUpdateTime: now)
            let before = alias
            (alias.name, alias.mountAccessor, alias.mountType, alias.mountPath) = (aliasName, mount.0, mount.1, mount.2)
            alias.canonicalID = target.id
            if old != nil && alias == before { return (alias, false) }
            alias.lastUpdateTime = now
            if let old {
                change.unindex(Self.groupAliasKey(old.alias.mountAccessor, old.alias.name))
                var previous = change.groups[old.group.id] ?? old.group
                // Memberships came from logins matching the old alias; the next login through the new one re-adds.
                try await clearMembers(of: &previous, change: &change)
                if old.group.id != target.id {
                    previous.alias = nil
                    change.put(previous)
                } else {
                    target = previous
                }
            }
            if let replaced = target.alias, replaced.id != alias.id {
                change.unindex(Self.groupAliasKey(replaced.mountAccessor, replaced.name))
                change.unindex("group-alias-id/" + replaced.id)
                try await clearMembers(of: &target, change: &change)
            }
            target.alias = alias
            target.lastUpdateTime = now
            change.put(target)
            change.index(Self.groupAliasKey(alias.mountAccessor, alias.name), target.id)
            change.index("group-alias-id/" + alias.id, target.id)
            try await commit(change)
            forgetAliasLookups()
            return (alias, true)
        }
    }

    /// The external group an alias write links to: `canonicalID`'s, the alias's current one, or a new one.
    func aliasTarget(canonicalID: String?, old: IdentityGroup?, change: inout IdentityChange) async throws
        -> IdentityGroup
    {
        if let canonicalID, !canonicalID.isEmpty {
            guard let group = try await self.group(id: canonicalID) else {
                throw LogicalError.badRequest("invalid group ID given in 'canonical_id'")
            }
            if group.type != .external { throw LogicalError.badRequest("alias can't be set on an internal group") }
            return group
        }
        if let old { return old }
        let now = Self.timestamp()
        let group = IdentityGroup(
            id: Hex.uuid(), name: "group_" + Hex.random8(), type: .external, policies: [], metadata: [:],
            memberEntityIDs: [], memberGroupIDs: [], parentGroupIDs: [], alias: nil, creationTime: now,
            lastUpdateTime: now, modifyIndex: 1)
        change.index(Self.groupNameKey(group.name), group.id)
        return group
    }

    /// Drops an external group's members, on both sides of each membership.
    func clearMembers(of group: inout IdentityGroup, change: inout IdentityChange) async throws {
        for entityID in group.memberEntityIDs {
            guard var entity = try await self.entity(entityID, in: change) else { continue }
            let groupID = group.id
            entity.directGroupIDs = entity.groupIDs.filter { $0 != groupID }
            change.put(entity)
        }
        group.memberEntityIDs = []
    }

    /// Removes a group alias; the group stays, without members; false when there was none.
    @discardableResult
    public func deleteGroupAlias(id: String) async throws -> Bool {
        try await mutate {
            guard var (group, alias) = try await groupAlias(id: id) else { return false }
            group.alias = nil
            group.lastUpdateTime = Self.timestamp()
            var change = IdentityChange()
            // Nothing can refresh these memberships any more: without its alias the group has no members.
            try await clearMembers(of: &group, change: &change)
            change.put(group)
            change.unindex(Self.groupAliasKey(alias.mountAccessor, alias.name))
            change.unindex("group-alias-id/" + id)
            try await commit(change)
            forgetAliasLookups()
            return true
        }
    }
}
