import CofferFramework
import CofferStorage
import Foundation

extension IdentityStore {
    /// The entity holding alias `id`, and the alias.
    public func entityAlias(id: String) async throws -> (entity: Entity, alias: EntityAlias)? {
        guard !id.isEmpty, !id.contains("/"), let owner = try await storage.get("alias-id/" + id),
            let entity = try await self.entity(id: String(decoding: owner, as: UTF8.self)),
            let alias = entity.aliases.first(where: { $0.id == id })
        else { return nil }
        return (entity, alias)
    }

    public func entityAliasIDs() async throws -> [String] {
        try await storage.list(prefix: "alias-id/").filter { !$0.hasSuffix("/") }
    }

    /// Vault's alias upsert: by `id`, else by (mount, name) — an existing alias is updated — else a new alias on
    /// `canonicalID`'s entity or on a new entity. `changed` is false when nothing differed (Vault's 204).
    public func upsertEntityAlias(_ update: EntityAliasUpdate) async throws -> (alias: EntityAlias, changed: Bool) {
        try await mutate {
            var found: (entity: Entity, alias: EntityAlias)? = nil
            if let id = update.id, !id.isEmpty {
                guard let existing = try await entityAlias(id: id) else {
                    throw LogicalError.badRequest("invalid alias ID provided")
                }
                found = existing
            } else {
                guard let name = update.name, !name.isEmpty, let mount = update.mount else {
                    throw LogicalError.badRequest("'id' or 'mount_accessor' and 'name' must be provided")
                }
                if let owner = try await storage.get(Self.aliasKey(mount.accessor, name)),
                    let entity = try await self.entity(id: String(decoding: owner, as: UTF8.self)),
                    let alias = entity.aliases.first(where: { $0.mountAccessor == mount.accessor && $0.name == name })
                {
                    found = (entity, alias)
                }
            }
            let result: (EntityAlias, Bool)
            if let found {
                result = try await updateAlias(found.alias, of: found.entity, with: update)
            } else {
                result = (try await createAlias(update), true)
            }
            forgetAliasLookups()
            return result
        }
    }

    func createAlias(_ update: EntityAliasUpdate) async throws -> EntityAlias {
        guard let name = update.name, let mount = update.mount else {
            throw LogicalError.badRequest("'id' or 'mount_accessor' and 'name' must be provided")
        }
        let now = Self.timestamp()
        var change = IdentityChange()
        var entity: Entity
        if let canonicalID = update.canonicalID, !canonicalID.isEmpty {
            guard let existing = try await self.entity(id: canonicalID) else {
                throw LogicalError.badRequest("invalid canonical ID")
            }
            entity = existing
            if entity.aliases.contains(where: { $0.mountAccessor == mount.accessor }) {
                throw LogicalError.badRequest("Alias already exists for requested entity and mount accessor")
            }
        } else {
            entity = Entity(
                id: Hex.uuid(), name: "entity_" + Hex.random8(), metadata: [:], policies: [], disabled: false,
                aliases: [], creationTime: now, lastUpdateTime: now)
            change.index(Self.entityNameKey(entity.name), entity.id)
        }
        let alias = EntityAlias(
            id: Hex.uuid(), canonicalID: entity.id, mountAccessor: mount.accessor, mountType: mount.type,
            mountPath: mount.routePrefix, name: name, metadata: [:], creationTime: now, lastUpdateTime: now,
            customMetadata: update.customMetadata)
        entity.aliases.append(alias)
        entity.lastUpdateTime = now
        change.put(entity)
        change.index(Self.aliasKey(mount.accessor, name), entity.id)
        change.index("alias-id/" + alias.id, entity.id)
        try await commit(change)
        return alias
    }

    func updateAlias(_ old: EntityAlias, of owner: Entity, with update: EntityAliasUpdate) async throws
        -> (EntityAlias, Bool)
    {
        var alias = old
        if let name = update.name, !name.isEmpty { alias.name = name }
        if let mount = update.mount {
            alias.mountAccessor = mount.accessor
            alias.mountType = mount.type
            alias.mountPath = mount.routePrefix
        }
        if let custom = update.customMetadata { alias.customMetadata = custom }
        if let canonicalID = update.canonicalID, !canonicalID.isEmpty { alias.canonicalID = canonicalID }
        if alias == old { return (old, false) }
        let renamed = alias.name != old.name || alias.mountAccessor != old.mountAccessor
        if renamed, try await storage.get(Self.aliasKey(alias.mountAccessor, alias.name)) != nil {
            throw LogicalError.badRequest("alias with combination of mount accessor and name already exists")
        }
        var target = owner
        if alias.canonicalID != owner.id {
            guard let other = try await self.entity(id: alias.canonicalID) else {
                throw LogicalError.badRequest("invalid canonical ID")
            }
            target = other
        }
        if target.aliases.contains(where: { $0.mountAccessor == alias.mountAccessor && $0.id != alias.id }) {
            throw LogicalError.badRequest(
                "Alias cannot be updated as the given entity already has an alias for this mount ")
        }
        alias.lastUpdateTime = Self.timestamp()
        var change = IdentityChange()
        var source = owner
        source.aliases.removeAll { $0.id == alias.id }
        if target.id == source.id { target = source } else { change.put(source) }
        target.aliases.append(alias)
        change.put(target)
        if renamed { change.unindex(Self.aliasKey(old.mountAccessor, old.name)) }
        change.index(Self.aliasKey(alias.mountAccessor, alias.name), target.id)
        change.index("alias-id/" + alias.id, target.id)
        try await commit(change)
        return (alias, true)
    }

    /// Removes an entity alias; false when there was none.
    @discardableResult
    public func deleteEntityAlias(id: String) async throws -> Bool {
        try await mutate {
            guard let (entity, alias) = try await entityAlias(id: id) else { return false }
            var updated = entity
            updated.aliases.removeAll { $0.id == id }
            updated.lastUpdateTime = Self.timestamp()
            var change = IdentityChange()
            change.put(updated)
            change.unindex(Self.aliasKey(alias.mountAccessor, alias.name))
            change.unindex("alias-id/" + id)
            try await commit(change)
            forgetAliasLookups()
            return true
        }
    }
}

extension IdentityStore {
    /// The entity owning the alias `aliasName` on `mountAccessor`.
    public func entity(aliasName: String, mountAccessor: String) async throws -> Entity? {
        guard let owner = try await storage.get(Self.aliasKey(mountAccessor, aliasName)) else { return nil }
        return try await self.entity(id: String(decoding: owner, as: UTF8.self))
    }
}
