import CofferFramework
import CofferStorage
import Crypto
import Foundation
import Synchronization

/// Entities, aliases, groups and group aliases (docs/identity.md), stored under the barrier and read lazily: nothing
/// is loaded at unseal, and the caches below hold only what requests touched.
///
/// Layout under `sys/identity/`: `entity/<id>`, `entity-name/<sha256(name)>` → id, `alias/<accessor>/<sha256(name)>` → entity
/// id, `alias-id/<alias id>` → entity id, `group/<id>`, `group-name/<sha256(name)>` → id,
/// `group-alias-name/<accessor>/<sha256(name)>` → group id, `group-alias-id/<alias id>` → group id.
/// A membership is written on both sides (the group's member list and the entity's `directGroupIDs`, a child
/// group's `parentGroupIDs`) in one transaction, so a request's identity policies follow ids without a scan.
///
/// ```swift
/// let entity = try await identity.entityForLogin(alias: auth.alias!, groupAliases: auth.groupAliases, mount: mount)
/// let policies = try await identity.policies(entityID: entity.id)   // entity ∪ its groups' and parents' policies
/// ```
public final class IdentityStore: Sendable {
    let storage: StorageView
    let aliasCache = Mutex<[AliasName: String]>([:])
    let entityCache = Mutex<[String: Entity]>([:])
    let groupCache = Mutex<[String: IdentityGroup]>([:])
    /// (accessor, group alias name) → group id, or "" for a name no group alias has: every login asks.
    let groupAliasCache = Mutex<[AliasName: String]>([:])
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

    let creation = KeyedAsyncLock()
    /// The `creation` key every identity write other than a login's entity creation holds: memberships span
    /// several records, so writers take turns.
    static let mutationKey = "\u{0}identity"
    static let cacheLimit = 50_000

    public init(storage: any Storage) {
        self.storage = StorageView(storage, prefix: "sys/identity/")
    }

    static func digest(_ name: String) -> String { Hex.encode(Array(SHA256.hash(data: Array(name.utf8)))) }

    static func timestamp(_ date: Date = Date()) -> String { RFC3339.string(date) }

    static func aliasKey(_ accessor: String, _ name: String) -> String { "alias/\(accessor)/\(digest(name))" }

    static func groupAliasKey(_ accessor: String, _ name: String) -> String {
        "group-alias-name/\(accessor)/\(digest(name))"
    }

    /// Name indexes hold digests, so names (often people's) never appear in storage keys, which are not encrypted.
    static func entityNameKey(_ name: String) -> String { "entity-name/" + digest(name) }

    static func groupNameKey(_ name: String) -> String { "group-name/" + digest(name) }

    static func unindexEntityName(_ name: String, in change: inout IdentityChange) {
        change.unindex(entityNameKey(name))
        if !name.contains("/") { change.unindex("name/" + name) }
    }

    /// Runs `body` as the only identity writer.
    func mutate<T>(_ body: () async throws -> T) async throws -> T {
        try await creation.withLock(Self.mutationKey, body)
    }

    static func cache<T>(_ value: T, _ key: String, in cache: inout [String: T]) {
        if cache.count > cacheLimit { cache.removeAll() }
        cache[key] = value
    }

    public func entity(id: String) async throws -> Entity? {
        if let cached = entityCache.withLock({ $0[id] }) { return cached }
        guard !id.isEmpty, !id.contains("/"), let entity = try await storage.getJSON(Entity.self, "entity/" + id) else {
            return nil
        }
        entityCache.withLock { Self.cache(entity, id, in: &$0) }
        return entity
    }

    public func entity(name: String) async throws -> Entity? {
        guard !name.isEmpty else { return nil }
        var id = try await storage.get(Self.entityNameKey(name))
        // Entities stored before names were digested are indexed under their plain name.
        if id == nil, !name.contains("/") { id = try await storage.get("name/" + name) }
        guard let id else { return nil }
        return try await self.entity(id: String(decoding: id, as: UTF8.self))
    }

    public func entityIDs() async throws -> [String] { try await storage.list(prefix: "entity/") }

    public func group(id: String) async throws -> IdentityGroup? {
        if let cached = groupCache.withLock({ $0[id] }) { return cached }
        guard !id.isEmpty, !id.contains("/"), let group = try await storage.getJSON(IdentityGroup.self, "group/" + id)
        else { return nil }
        groupCache.withLock { Self.cache(group, id, in: &$0) }
        return group
    }

    public func group(name: String) async throws -> IdentityGroup? {
        guard !name.isEmpty, let id = try await storage.get(Self.groupNameKey(name)) else {
            return nil
        }
        return try await self.group(id: String(decoding: id, as: UTF8.self))
    }

    public func groupIDs() async throws -> [String] { try await storage.list(prefix: "group/") }

    /// The entity's groups' parents, transitively, without the direct groups themselves.
    public func inheritedGroupIDs(_ entity: Entity) async throws -> [String] {
        var seen = Set(entity.groupIDs)
        var inherited: [String] = []
        var pending = entity.groupIDs
        while let id = pending.popLast() {
            guard let group = try await self.group(id: id) else { continue }
            for parent in group.parentGroupIDs where seen.insert(parent).inserted {
                inherited.append(parent)
                pending.append(parent)
            }
        }
        return inherited
    }

    /// The entity's identity policies: its own and those of every group containing it, directly or through
    /// member groups; sorted, unique, never `root` (refused at write; stored data is not trusted for it).
    public func policies(entityID: String) async throws -> [String] {
        guard let entity = try await self.entity(id: entityID) else { return [] }
        return try await policies(of: entity)
    }

    func policies(of entity: Entity) async throws -> [String] {
        var policies = Set(entity.policies)
        var seen = Set<String>()
        var pending = entity.groupIDs
        while let id = pending.popLast() {
            guard seen.insert(id).inserted, let group = try await self.group(id: id) else { continue }
            policies.formUnion(group.policies)
            pending.append(contentsOf: group.parentGroupIDs)
        }
        policies.remove("root")
        return policies.sorted()
    }
}
