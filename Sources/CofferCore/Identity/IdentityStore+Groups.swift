import CofferFramework
import CofferStorage
import Foundation

extension IdentityStore {
    /// Vault's group upsert: by `id` (which must exist), else by an existing `name`, else a new group.
    public func upsertGroup(_ update: GroupUpdate) async throws -> (group: IdentityGroup, created: Bool) {
        if let policies = update.policies, policies.contains(where: { $0.trimmedWhitespace.lowercased() == "root" }) {
            throw LogicalError.badRequest("policies cannot contain root")
        }
        return try await mutate {
            var existing: IdentityGroup? = nil
            if let id = update.id, !id.isEmpty {
                guard let found = try await self.group(id: id) else {
                    throw LogicalError.badRequest("invalid group ID")
                }
                existing = found
            }
            if let name = update.name, !name.isEmpty, let owner = try await self.group(name: name) {
                if let found = existing, found.id != owner.id {
                    throw LogicalError.badRequest("group name is already in use")
                }
                existing = owner
            }
            var type = existing?.type ?? .internal
            if let requested = update.type, !requested.isEmpty {
                guard let kind = IdentityGroup.Kind(rawValue: requested) else {
                    throw LogicalError.badRequest("invalid group type \"\(requested)\"")
                }
                if let existing, existing.type != kind { throw LogicalError.badRequest("group type cannot be changed") }
                type = kind
            }
            let now = Self.timestamp()
            var group =
                existing
                ?? IdentityGroup(
                    id: Hex.uuid(), name: "", type: type, policies: [], metadata: [:], memberEntityIDs: [],
                    memberGroupIDs: [], parentGroupIDs: [], alias: nil, creationTime: now, lastUpdateTime: now,
                    modifyIndex: 0)
            var change = IdentityChange()
            let newName =
                update.name.flatMap { $0.isEmpty ? nil : $0 }
                ?? (existing == nil ? "group_" + Hex.random8() : group.name)
            if newName != group.name {
                if !group.name.isEmpty { change.unindex(Self.groupNameKey(group.name)) }
                change.index(Self.groupNameKey(newName), group.id)
                group.name = newName
            }
            if let policies = update.policies { group.policies = Self.groupPolicies(policies) }
            if let metadata = update.metadata { group.metadata = metadata }
            if let members = update.memberEntityIDs {
                try await setMemberEntities(Self.unique(members), of: &group, change: &change)
            }
            if let members = update.memberGroupIDs {
                try await setMemberGroups(Self.unique(members), of: &group, change: &change)
            }
            group.lastUpdateTime = now
            group.modifyIndex += 1
            change.put(group)
            try await commit(change)
            return (group, existing == nil)
        }
    }

    /// Trimmed, lower-cased and de-duplicated, order kept (as Vault stores group policies).
    static func groupPolicies(_ policies: [String]) -> [String] {
        unique(policies.map { $0.trimmedWhitespace.lowercased() }.filter { !$0.isEmpty })
    }

    func setMemberEntities(_ members: [String], of group: inout IdentityGroup, change: inout IdentityChange)
        async throws
    {
        if group.type == .external {
            guard members.isEmpty else {
                throw LogicalError.badRequest("member entities can't be set manually for external groups")
            }
            return
        }
        var entities: [Entity] = []
        for id in members {
            guard let entity = try await self.entity(id, in: change) else {
                throw LogicalError.badRequest("invalid entity ID \"\(id)\"")
            }
            entities.append(entity)
        }
        for id in group.memberEntityIDs where !members.contains(id) {
            guard var entity = try await self.entity(id, in: change) else { continue }
            entity.directGroupIDs = entity.groupIDs.filter { $0 != group.id }
            change.put(entity)
        }
        for var entity in entities where !entity.groupIDs.contains(group.id) {
            entity.directGroupIDs = entity.groupIDs + [group.id]
            change.put(entity)
        }
        group.memberEntityIDs = members
    }

    func setMemberGroups(_ members: [String], of group: inout IdentityGroup, change: inout IdentityChange) async throws
    {
        if group.type == .external {
            guard members.isEmpty else {
                throw LogicalError.badRequest("member groups can't be set for external groups")
            }
            return
        }
        var children: [IdentityGroup] = []
        for id in members {
            guard let child = try await self.group(id, in: change) else {
                throw LogicalError.badRequest("invalid member group ID \"\(id)\"")
            }
            let cyclic = try await id == group.id ? true : reaches(group.id, from: child)
            if cyclic {
                throw LogicalError.badRequest("cyclic relationship detected for member group ID \"\(id)\"")
            }
            children.append(child)
        }
        for id in group.memberGroupIDs where !members.contains(id) {
            guard var child = try await self.group(id, in: change) else { continue }
            child.parentGroupIDs.removeAll { $0 == group.id }
            change.put(child)
        }
        for var child in children where !child.parentGroupIDs.contains(group.id) {
            child.parentGroupIDs.append(group.id)
            change.put(child)
        }
        group.memberGroupIDs = members
    }

    /// Whether `target` is `start` or one of its member groups, transitively: making `start` a member of
    /// `target` would then close a cycle.
    func reaches(_ target: String, from start: IdentityGroup) async throws -> Bool {
        var seen = Set<String>()
        var pending = start.memberGroupIDs
        while let id = pending.popLast() {
            if id == target { return true }
            guard seen.insert(id).inserted, let group = try await self.group(id: id) else { continue }
            pending.append(contentsOf: group.memberGroupIDs)
        }
        return false
    }

    /// Deletes a group with its alias and every membership naming it; false when there was none.
    @discardableResult
    public func deleteGroup(id: String) async throws -> Bool {
        try await mutate {
            guard let group = try await self.group(id: id) else { return false }
            var change = IdentityChange()
            change.delete(group: id)
            change.unindex(Self.groupNameKey(group.name))
            if let alias = group.alias {
                change.unindex(Self.groupAliasKey(alias.mountAccessor, alias.name))
                change.unindex("group-alias-id/" + alias.id)
            }
            for entityID in group.memberEntityIDs {
                guard var entity = try await self.entity(id: entityID) else { continue }
                entity.directGroupIDs = entity.groupIDs.filter { $0 != id }
                change.put(entity)
            }
            for childID in group.memberGroupIDs {
                guard var child = try await self.group(id: childID) else { continue }
                child.parentGroupIDs.removeAll { $0 == id }
                change.put(child)
            }
            for parentID in group.parentGroupIDs {
                guard var parent = try await self.group(parentID, in: change) else { continue }
                parent.memberGroupIDs.removeAll { $0 == id }
                change.put(parent)
            }
            try await commit(change)
            forgetAliasLookups()
            return true
        }
    }

    /// Every group, for lists.
    public func allGroups() async throws -> [IdentityGroup] {
        var groups: [IdentityGroup] = []
        for id in try await groupIDs() where !id.hasSuffix("/") {
            if let group = try await self.group(id: id) { groups.append(group) }
        }
        return groups
    }
}
