import CofferStorage
import Foundation

/// One identity write: the records and index keys it puts or deletes, committed in one storage transaction so a
/// membership is never recorded on one side only.
///
/// ```swift
/// var change = IdentityChange()
/// change.put(group); change.put(entity)
/// try await identity.commit(change)
/// ```
struct IdentityChange {
    var entities: [String: Entity] = [:]
    var deletedEntities: Set<String> = []
    var groups: [String: IdentityGroup] = [:]
    var deletedGroups: Set<String> = []
    var indexes: [StorageOperation] = []

    mutating func put(_ entity: Entity) {
        entities[entity.id] = entity
        deletedEntities.remove(entity.id)
    }

    mutating func put(_ group: IdentityGroup) {
        groups[group.id] = group
        deletedGroups.remove(group.id)
    }

    mutating func delete(entity id: String) {
        entities[id] = nil
        deletedEntities.insert(id)
    }

    mutating func delete(group id: String) {
        groups[id] = nil
        deletedGroups.insert(id)
    }

    mutating func index(_ key: String, _ value: String) { indexes.append(.put(key: key, value: Array(value.utf8))) }

    mutating func unindex(_ key: String) { indexes.append(.delete(key: key)) }

    func operations() throws -> [StorageOperation] {
        let encoder = JSONEncoder()
        var operations = indexes
        for (id, entity) in entities {
            operations.append(.put(key: "entity/" + id, value: Array(try encoder.encode(entity))))
        }
        for (id, group) in groups {
            operations.append(.put(key: "group/" + id, value: Array(try encoder.encode(group))))
        }
        operations += deletedEntities.map { .delete(key: "entity/" + $0) }
        operations += deletedGroups.map { .delete(key: "group/" + $0) }
        return operations
    }
}

extension IdentityStore {
    /// Writes `change` in one transaction, then brings the caches in line with it.
    func commit(_ change: IdentityChange) async throws {
        let operations = try change.operations()
        guard !operations.isEmpty else { return }
        try await storage.transaction(operations)
        entityCache.withLock { cache in
            for id in change.deletedEntities { cache[id] = nil }
            for (id, entity) in change.entities { Self.cache(entity, id, in: &cache) }
        }
        groupCache.withLock { cache in
            for id in change.deletedGroups { cache[id] = nil }
            for (id, group) in change.groups { Self.cache(group, id, in: &cache) }
        }
    }

    /// The entity as `change` leaves it (nil when it deletes it), else as stored.
    func entity(_ id: String, in change: IdentityChange) async throws -> Entity? {
        if change.deletedEntities.contains(id) { return nil }
        if let pending = change.entities[id] { return pending }
        return try await entity(id: id)
    }

    /// The group as `change` leaves it (nil when it deletes it), else as stored.
    func group(_ id: String, in change: IdentityChange) async throws -> IdentityGroup? {
        if change.deletedGroups.contains(id) { return nil }
        if let pending = change.groups[id] { return pending }
        return try await group(id: id)
    }

    /// Forgets the name → id caches after a write that moved or removed aliases.
    func forgetAliasLookups() {
        aliasCache.withLock { $0.removeAll() }
        groupAliasCache.withLock { $0.removeAll() }
    }
}
