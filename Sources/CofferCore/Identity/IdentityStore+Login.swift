import CofferFramework
import CofferStorage
import Foundation

extension IdentityStore {
    /// The entity owning `alias` on `mount`, created with the alias when none exists; its external groups on
    /// this mount are then set to those whose group alias matches one of `groupAliases` (docs/identity.md § External
    /// groups).
    public func entityForLogin(alias: Alias, groupAliases: [Alias], mount: MountEntry) async throws -> Entity {
        // Cached by name: the storage key's SHA-256 is only needed when the cache misses.
        let cacheKey = AliasName(mountAccessor: mount.accessor, name: alias.name)
        var entity: Entity
        if let id = aliasCache.withLock({ $0[cacheKey] }), let cached = try await self.entity(id: id) {
            entity = try await refreshAliasMetadata(cached, alias: alias, mount: mount)
        } else {
            let aliasKey = Self.aliasKey(mount.accessor, alias.name)
            entity = try await creation.withLock(aliasKey) {
                if let idBytes = try await storage.get(aliasKey),
                    let existing = try await self.entity(id: String(decoding: idBytes, as: UTF8.self))
                {
                    return try await refreshAliasMetadata(existing, alias: alias, mount: mount)
                }
                // Operators write aliases under `mutate` only; creating under it too means a login and an
                // `identity/entity-alias` write can never both claim this alias. Lock order: alias key, then mutate.
                return try await mutate {
                    if let idBytes = try await storage.get(aliasKey),
                        let existing = try await self.entity(id: String(decoding: idBytes, as: UTF8.self))
                    {
                        return existing
                    }
                    return try await createEntity(alias: alias, mount: mount, aliasKey: aliasKey)
                }
            }
            aliasCache.withLock {
                if $0.count > Self.cacheLimit { $0.removeAll() }
                $0[cacheKey] = entity.id
            }
        }
        return try await refreshExternalGroups(entity, names: groupAliases.map(\.name), mountAccessor: mount.accessor)
    }

    func createEntity(alias: Alias, mount: MountEntry, aliasKey: String) async throws -> Entity {
        let now = Self.timestamp()
        let id = Hex.uuid()
        let entityAlias = EntityAlias(
            id: Hex.uuid(), canonicalID: id, mountAccessor: mount.accessor, mountType: mount.type,
            mountPath: mount.routePrefix, name: alias.name, metadata: alias.metadata, creationTime: now,
            lastUpdateTime: now)
        let entity = Entity(
            id: id, name: "entity_" + Hex.random8(), metadata: [:], policies: [], disabled: false,
            aliases: [entityAlias], creationTime: now, lastUpdateTime: now)
        var change = IdentityChange()
        change.put(entity)
        change.index(aliasKey, id)
        change.index("alias-id/" + entityAlias.id, id)
        change.index(Self.entityNameKey(entity.name), id)
        try await commit(change)
        return entity
    }

    /// Alias metadata follows the latest login (e.g. a VM's resource group may change).
    func refreshAliasMetadata(_ entity: Entity, alias: Alias, mount: MountEntry) async throws -> Entity {
        guard
            let index = entity.aliases.firstIndex(where: { $0.mountAccessor == mount.accessor && $0.name == alias.name }
            ),
            entity.aliases[index].metadata != alias.metadata
        else { return entity }
        return try await mutate {
            // Re-read under the lock: a group write may have changed the entity since `entity` was read.
            guard var updated = try await self.entity(id: entity.id),
                let index = updated.aliases.firstIndex(where: { $0.id == entity.aliases[index].id })
            else { return entity }
            updated.aliases[index].metadata = alias.metadata
            updated.aliases[index].lastUpdateTime = Self.timestamp()
            var change = IdentityChange()
            change.put(updated)
            try await commit(change)
            return updated
        }
    }

    /// The group whose alias on `mountAccessor` is named `aliasName`, if any.
    public func groupID(aliasName: String, mountAccessor: String) async throws -> String? {
        let key = AliasName(mountAccessor: mountAccessor, name: aliasName)
        if let cached = groupAliasCache.withLock({ $0[key] }) { return cached.isEmpty ? nil : cached }
        let id = try await storage.get(Self.groupAliasKey(mountAccessor, aliasName)).map {
            String(decoding: $0, as: UTF8.self)
        }
        groupAliasCache.withLock {
            if $0.count > Self.cacheLimit { $0.removeAll() }
            $0[key] = id ?? ""
        }
        return id
    }

    /// Makes the entity's external groups whose alias is on `mountAccessor` exactly those named by `names`;
    /// memberships through other mounts and internal groups are left alone. Unknown names create nothing.
    public func refreshExternalGroups(_ entity: Entity, names: [String], mountAccessor: String) async throws -> Entity {
        var wanted = Set<String>()
        for name in Set(names) {
            if let id = try await groupID(aliasName: name, mountAccessor: mountAccessor),
                let group = try await self.group(id: id), group.type == .external
            {
                wanted.insert(id)
            }
        }
        if try await externalGroups(of: entity, mountAccessor: mountAccessor) == wanted { return entity }
        return try await mutate {
            guard var current = try await self.entity(id: entity.id) else { return entity }
            let present = try await externalGroups(of: current, mountAccessor: mountAccessor)
            var change = IdentityChange()
            for id in present.subtracting(wanted) {
                guard var group = try await self.group(id: id) else { continue }
                group.memberEntityIDs.removeAll { $0 == current.id }
                change.put(group)
            }
            for id in wanted.subtracting(present) {
                guard var group = try await self.group(id: id), group.type == .external else { continue }
                if !group.memberEntityIDs.contains(current.id) { group.memberEntityIDs.append(current.id) }
                change.put(group)
            }
            let now = Self.timestamp()
            for id in change.groups.keys { change.groups[id]?.lastUpdateTime = now }
            current.directGroupIDs =
                current.groupIDs.filter { !present.contains($0) || wanted.contains($0) }
                + wanted.subtracting(present).filter { change.groups[$0] != nil }.sorted()
            change.put(current)
            try await commit(change)
            return current
        }
    }

    func externalGroups(of entity: Entity, mountAccessor: String) async throws -> Set<String> {
        var result = Set<String>()
        for id in entity.groupIDs {
            if let group = try await self.group(id: id), group.type == .external,
                group.alias?.mountAccessor == mountAccessor
            {
                result.insert(id)
            }
        }
        return result
    }
}
