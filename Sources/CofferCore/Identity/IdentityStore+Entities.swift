import CofferFramework
import CofferStorage
import Foundation

extension IdentityStore {
    /// Vault's entity upsert: by `id` (which must exist), else by an existing `name`, else a new entity.
    public func upsertEntity(_ update: EntityUpdate) async throws -> (entity: Entity, created: Bool) {
        if let policies = update.policies, policies.contains(where: { $0.trimmedWhitespace.lowercased() == "root" }) {
            throw LogicalError.badRequest("policies cannot contain root")
        }
        return try await mutate {
            var existing: Entity? = nil
            if let id = update.id, !id.isEmpty {
                guard let found = try await self.entity(id: id) else {
                    throw LogicalError.badRequest("entity not found from id")
                }
                existing = found
            }
            if let name = update.name, !name.isEmpty, let owner = try await self.entity(name: name) {
                if let found = existing, found.id != owner.id {
                    throw LogicalError.badRequest("entity name is already in use")
                }
                existing = owner
            }
            let now = Self.timestamp()
            var entity =
                existing
                ?? Entity(
                    id: Hex.uuid(), name: "", metadata: [:], policies: [], disabled: false, aliases: [],
                    creationTime: now, lastUpdateTime: now)
            var change = IdentityChange()
            let newName =
                update.name.flatMap { $0.isEmpty ? nil : $0 }
                ?? (existing == nil ? "entity_" + Hex.random8() : entity.name)
            if newName != entity.name {
                if !entity.name.isEmpty { Self.unindexEntityName(entity.name, in: &change) }
                change.index(Self.entityNameKey(newName), entity.id)
                entity.name = newName
            }
            if let metadata = update.metadata { entity.metadata = metadata }
            if let policies = update.policies { entity.policies = Self.entityPolicies(policies) }
            if let disabled = update.disabled { entity.disabled = disabled }
            entity.lastUpdateTime = now
            change.put(entity)
            try await commit(change)
            return (entity, existing == nil)
        }
    }

    /// Trimmed, de-duplicated and sorted, case kept (as Vault stores entity policies).
    static func entityPolicies(_ policies: [String]) -> [String] {
        Array(Set(policies.map(\.trimmedWhitespace).filter { !$0.isEmpty })).sorted()
    }

    /// Persists an edited entity (policies, metadata, disabled).
    public func save(_ entity: Entity) async throws {
        try await mutate {
            var change = IdentityChange()
            change.put(entity)
            try await commit(change)
        }
    }

    /// Deletes entities with their aliases and group memberships; unknown ids are skipped.
    public func deleteEntities(_ ids: [String]) async throws {
        try await mutate {
            var change = IdentityChange()
            for id in Set(ids) {
                guard let entity = try await self.entity(id: id) else { continue }
                try await removeEntity(entity, into: &change)
            }
            try await commit(change)
            forgetAliasLookups()
        }
    }

    func removeEntity(_ entity: Entity, into change: inout IdentityChange) async throws {
        change.delete(entity: entity.id)
        Self.unindexEntityName(entity.name, in: &change)
        for alias in entity.aliases {
            change.unindex(Self.aliasKey(alias.mountAccessor, alias.name))
            change.unindex("alias-id/" + alias.id)
        }
        for groupID in entity.groupIDs {
            guard var group = try await self.group(groupID, in: change) else { continue }
            group.memberEntityIDs.removeAll { $0 == entity.id }
            change.put(group)
        }
    }

    /// Every entity, for lists (an operator's request; entities are not kept in memory).
    public func allEntities() async throws -> [Entity] {
        var entities: [Entity] = []
        for id in try await entityIDs() where !id.hasSuffix("/") {
            if let entity = try await self.entity(id: id) { entities.append(entity) }
        }
        return entities
    }
}
