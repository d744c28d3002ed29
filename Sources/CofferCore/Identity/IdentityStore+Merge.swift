import CofferFramework
import CofferStorage
import Foundation

extension IdentityStore {
    /// `identity/entity/merge`: the from-entities' aliases and group memberships move to `toID` and the
    /// from-entities are deleted; their policies are not merged (as in Vault). Where `toID` and a from-entity have
    /// aliases on one mount, only the aliases named in `keep` survive.
    public func mergeEntities(from fromIDs: [String], to toID: String, keep: [String]) async throws {
        if toID.isEmpty { throw LogicalError.badRequest("missing entity id to merge to") }
        if fromIDs.isEmpty { throw LogicalError.badRequest("missing entity ids to merge from") }
        if fromIDs.contains(toID) {
            throw LogicalError.badRequest("to_entity_id should not be present in from_entity_ids")
        }
        if !keep.isEmpty && Set(fromIDs).count > 1 {
            throw LogicalError.badRequest(
                "aliases conflicts cannot be resolved with multiple from entity ids - merge one entity at a time")
        }
        try await mutate {
            guard var target = try await self.entity(id: toID) else {
                throw LogicalError.badRequest("entity id to merge to is invalid")
            }
            var sources: [Entity] = []
            for id in Self.unique(fromIDs) {
                guard let source = try await self.entity(id: id) else {
                    throw LogicalError.badRequest("entity id to merge from is invalid")
                }
                sources.append(source)
            }
            try Self.checkMergeConflicts(target: target, sources: sources, keep: Set(keep))
            var change = IdentityChange()
            for source in sources { try await absorb(source, into: &target, keep: Set(keep), change: &change) }
            target.lastUpdateTime = Self.timestamp()
            change.put(target)
            try await commit(change)
            forgetAliasLookups()
        }
    }

    static func unique(_ values: [String]) -> [String] {
        var seen = Set<String>()
        return values.filter { seen.insert($0).inserted }
    }

    static func checkMergeConflicts(target: Entity, sources: [Entity], keep: Set<String>) throws {
        var fromAccessors: [String: String] = [:]
        for source in sources {
            for alias in source.aliases {
                if let other = fromAccessors[alias.mountAccessor], other != source.id {
                    throw LogicalError.badRequest(
                        "mount accessor \(alias.mountAccessor) found in multiple fromEntities, merge should be done with one fromEntity at a time"
                    )
                }
                fromAccessors[alias.mountAccessor] = source.id
            }
        }
        var clashes: [String] = []
        for source in sources {
            for alias in source.aliases {
                guard let mine = target.aliases.first(where: { $0.mountAccessor == alias.mountAccessor }) else {
                    continue
                }
                if keep.contains(alias.id) || keep.contains(mine.id) { continue }
                clashes.append(
                    "[alias: \(alias.name), entity: \(source.name), entity_id: \(source.id), mount: \(alias.mountType), mount_path: \(alias.mountPath)]"
                )
            }
        }
        if !clashes.isEmpty {
            throw LogicalError.badRequest(
                "toEntity and at least one fromEntity have aliases with the same mount accessor, repeat the merge request specifying exactly one fromEntity, clashes: "
                    + clashes.joined(separator: ", "))
        }
    }

    /// Moves `source`'s aliases and memberships to `target` and deletes `source`.
    func absorb(_ source: Entity, into target: inout Entity, keep: Set<String>, change: inout IdentityChange)
        async throws
    {
        for var alias in source.aliases {
            if let index = target.aliases.firstIndex(where: { $0.mountAccessor == alias.mountAccessor }) {
                // Only one alias per mount survives: the one the operator kept.
                let dropped = keep.contains(alias.id) ? target.aliases.remove(at: index) : alias
                change.unindex(Self.aliasKey(dropped.mountAccessor, dropped.name))
                change.unindex("alias-id/" + dropped.id)
                if dropped.id == alias.id { continue }
            }
            alias.canonicalID = target.id
            alias.mergedFromCanonicalIDs = (alias.mergedFromCanonicalIDs ?? []) + [source.id]
            target.aliases.append(alias)
            change.index(Self.aliasKey(alias.mountAccessor, alias.name), target.id)
            change.index("alias-id/" + alias.id, target.id)
        }
        for groupID in source.groupIDs {
            guard var group = try await self.group(groupID, in: change) else { continue }
            group.memberEntityIDs.removeAll { $0 == source.id }
            if !group.memberEntityIDs.contains(target.id) { group.memberEntityIDs.append(target.id) }
            change.put(group)
            if !target.groupIDs.contains(groupID) { target.directGroupIDs = target.groupIDs + [groupID] }
        }
        target.mergedEntityIDs = (target.mergedEntityIDs ?? []) + [source.id]
        change.delete(entity: source.id)
        Self.unindexEntityName(source.name, in: &change)
    }
}
