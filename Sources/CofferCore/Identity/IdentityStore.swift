import CofferFramework
import CofferStorage
import Crypto
import Foundation
import Synchronization

/// Entities and aliases: the first login of a principal through a mount creates an entity;
/// later logins with the same (mount accessor, alias name) reuse it.
///
/// Layout: `entity/<id>`, `alias/<mount accessor>/<sha256(name)>` → entity id,
/// `name/<entity name>` → entity id, `group-alias/<mount accessor>/<sha256(name)>`.
///
/// ```swift
/// let entity = try await identity.entityForLogin(alias: auth.alias!, groupAliases: [], mount: mount)
/// ```
public final class IdentityStore: Sendable {
    let storage: StorageView
    private let aliasCache = Mutex<[AliasName: String]>([:])
    let entityCache = Mutex<[String: Entity]>([:])
    /// An alias name on one mount: the in-memory key of alias and group-alias lookups. The name is kept as
    /// bytes: names that are canonically equal `String`s but differ in bytes are different aliases, as in
    /// their storage keys.
    struct AliasName: Hashable {
        var mountAccessor: String
        var name: [UInt8]

        init(mountAccessor: String, name: String) {
            self.mountAccessor = mountAccessor
            self.name = Array(name.utf8)
        }
    }

    struct GroupMembership: Hashable {
        var group: AliasName
        var entityID: String
    }

    /// Group alias memberships known to be recorded.
    private let groupMemberships = Mutex<Set<GroupMembership>>([])
    private let creation = KeyedAsyncLock()

    public init(storage: any Storage) {
        self.storage = StorageView(storage, prefix: "sys/identity/")
    }

    static func digest(_ name: String) -> String { Hex.encode(Array(SHA256.hash(data: Array(name.utf8)))) }

    static func timestamp(_ date: Date = Date()) -> String { RFC3339.string(date) }

    public func entity(id: String) async throws -> Entity? {
        if let cached = entityCache.withLock({ $0[id] }) { return cached }
        guard !id.isEmpty, !id.contains("/"), let entity = try await storage.getJSON(Entity.self, "entity/" + id) else {
            return nil
        }
        entityCache.withLock {
            if $0.count > 50_000 { $0.removeAll() }
            $0[id] = entity
        }
        return entity
    }

    public func entity(name: String) async throws -> Entity? {
        guard !name.contains("/"), let id = try await storage.get("name/" + name) else { return nil }
        return try await entity(id: String(decoding: id, as: UTF8.self))
    }

    public func entityIDs() async throws -> [String] { try await storage.list(prefix: "entity/") }

    /// The entity owning `alias` on `mount`, created with the alias when none exists.
    public func entityForLogin(alias: Alias, groupAliases: [Alias], mount: MountEntry) async throws -> Entity {
        // Cached by name: the storage key's SHA-256 is only needed when the cache misses.
        let cacheKey = AliasName(mountAccessor: mount.accessor, name: alias.name)
        let entity: Entity
        if let id = aliasCache.withLock({ $0[cacheKey] }), let cached = try await self.entity(id: id) {
            entity = try await refreshAliasMetadata(cached, alias: alias, mount: mount)
        } else {
            let aliasKey = "alias/\(mount.accessor)/\(Self.digest(alias.name))"
            entity = try await creation.withLock(aliasKey) {
                if let idBytes = try await storage.get(aliasKey),
                    let existing = try await self.entity(id: String(decoding: idBytes, as: UTF8.self))
                {
                    return try await refreshAliasMetadata(existing, alias: alias, mount: mount)
                }
                return try await createEntity(alias: alias, mount: mount, aliasKey: aliasKey)
            }
            aliasCache.withLock {
                if $0.count > 50_000 { $0.removeAll() }
                $0[cacheKey] = entity.id
            }
        }
        for group in groupAliases {
            try await recordGroupAlias(group, entityID: entity.id, mount: mount)
        }
        return entity
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
        let encoder = JSONEncoder()
        try await storage.transaction([
            .put(key: "entity/" + id, value: Array(try encoder.encode(entity))),
            .put(key: aliasKey, value: Array(id.utf8)),
            .put(key: "name/" + entity.name, value: Array(id.utf8)),
        ])
        entityCache.withLock { $0[id] = entity }
        return entity
    }

    /// Alias metadata follows the latest login (e.g. a VM's resource group may change).
    func refreshAliasMetadata(_ entity: Entity, alias: Alias, mount: MountEntry) async throws -> Entity {
        guard
            let index = entity.aliases.firstIndex(where: { $0.mountAccessor == mount.accessor && $0.name == alias.name }
            ),
            entity.aliases[index].metadata != alias.metadata
        else { return entity }
        var updated = entity
        updated.aliases[index].metadata = alias.metadata
        updated.aliases[index].lastUpdateTime = Self.timestamp()
        try await storage.putJSON("entity/" + entity.id, updated)
        entityCache.withLock { $0[entity.id] = updated }
        return updated
    }

    func recordGroupAlias(_ group: Alias, entityID: String, mount: MountEntry) async throws {
        // Records only grow, so a membership seen once needs no read (or digest) on the next login.
        let membership = GroupMembership(
            group: AliasName(mountAccessor: mount.accessor, name: group.name), entityID: entityID)
        if groupMemberships.withLock({ $0.contains(membership) }) { return }
        let key = "group-alias/\(mount.accessor)/\(Self.digest(group.name))"
        try await creation.withLock(key) {
            var record =
                try await storage.getJSON(GroupAliasRecord.self, key)
                ?? GroupAliasRecord(name: group.name, mountAccessor: mount.accessor, entityIDs: [])
            if !record.entityIDs.contains(entityID) {
                record.entityIDs.append(entityID)
                try await storage.putJSON(key, record)
            }
        }
        groupMemberships.withLock {
            if $0.count > 50_000 { $0.removeAll() }
            $0.insert(membership)
        }
    }

    public func groupAliases(mountAccessor: String) async throws -> [GroupAliasRecord] {
        var result: [GroupAliasRecord] = []
        for key in try await storage.list(prefix: "group-alias/\(mountAccessor)/") where !key.hasSuffix("/") {
            if let record = try await storage.getJSON(GroupAliasRecord.self, "group-alias/\(mountAccessor)/\(key)") {
                result.append(record)
            }
        }
        return result
    }
}

extension IdentityStore {
    /// Persists an edited entity (policies, metadata, disabled).
    public func save(_ entity: Entity) async throws {
        try await storage.putJSON("entity/" + entity.id, entity)
        entityCache.withLock { $0[entity.id] = entity }
    }
}
