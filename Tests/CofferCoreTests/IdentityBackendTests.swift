import CofferCore
import CofferFramework
import CofferTesting
import Testing

/// `identity/` through the core: entities, aliases, groups, group aliases, lookups and Vault's error answers.
@Suite struct IdentityBackendTests {
    static func harness() async throws -> (CoreHarness, accessor: String) {
        let harness = try await CoreHarness.make(extraBackends: [GroupReportingAuthMethod.factory])
        #expect(
            await harness.request(.update, "sys/auth/idp", ["type": .string(GroupReportingAuthMethod.type)]).status
                == 204)
        let mounts = await harness.request(.read, "sys/auth")
        let accessor = try #require(mounts.data["idp/"]?.objectValue?["accessor"]?.stringValue)
        return (harness, accessor)
    }

    @Test func entityUpsertReadListAndDelete() async throws {
        let (harness, _) = try await Self.harness()
        let created = await harness.request(
            .update, "identity/entity", ["name": "alice", "policies": ["b", "a", "b"], "metadata": ["team": "x"]])
        #expect(created.status == 200)
        let id = try #require(created.data["id"]?.stringValue)
        #expect(created.data["name"] == "alice")
        // An existing name updates that entity: 204.
        #expect(await harness.request(.update, "identity/entity", ["name": "alice", "disabled": true]).status == 204)
        let read = await harness.request(.read, "identity/entity/id/\(id)")
        #expect(read.data["policies"] == .strings(["a", "b"]))
        #expect(read.data["disabled"] == true)
        #expect(read.data["metadata"]?.objectValue?["team"] == "x")
        #expect(await harness.request(.read, "identity/entity/name/alice").data["id"]?.stringValue == id)
        #expect(await harness.request(.update, "identity/entity/name/bob", [:]).status == 200)
        let names = await harness.request(.list, "identity/entity/name")
        #expect(names.data["keys"] == .strings(["alice", "bob"]))
        #expect(names.data["key_info"]?.objectValue?[id]?.objectValue?["name"] == "alice")
        #expect(await harness.request(.delete, "identity/entity/name/bob").status == 204)
        #expect(await harness.request(.list, "identity/entity/id").data["keys"] == .strings([id]))
        #expect(await harness.request(.delete, "identity/entity/id/\(id)").status == 204)
        #expect(await harness.request(.read, "identity/entity/id/\(id)").status == 404)
        #expect(await harness.request(.list, "identity/entity/id").status == 404)
    }

    @Test func entityErrorsAreVaults() async throws {
        let (harness, _) = try await Self.harness()
        let unknown = await harness.request(.update, "identity/entity", ["id": "nope"])
        #expect(unknown.status == 400 && unknown.errors == ["entity not found from id"])
        #expect(
            await harness.request(.update, "identity/entity/id/nope", ["policies": "a"]).errors == [
                "entity not found from id"
            ])
        let a = try #require(await harness.request(.update, "identity/entity", ["name": "a"]).data["id"]?.stringValue)
        _ = await harness.request(.update, "identity/entity", ["name": "b"])
        let clash = await harness.request(.update, "identity/entity", ["id": .string(a), "name": "b"])
        #expect(clash.errors == ["entity name is already in use"])
        #expect(
            await harness.request(.update, "identity/entity", ["policies": "root"]).errors == [
                "policies cannot contain root"
            ])
        let batch = await harness.request(.update, "identity/entity/batch-delete", ["entity_ids": []])
        #expect(batch.errors == ["missing entity ids to delete"])
        #expect(
            await harness.request(.update, "identity/entity/batch-delete", ["entity_ids": [.string(a), "x"]]).status
                == 204)
        #expect(await harness.request(.read, "identity/entity/id/\(a)").status == 404)
    }

    @Test func aliasesLinkEntitiesAndMergeMovesThem() async throws {
        let (harness, accessor) = try await Self.harness()
        let to = try #require(await harness.request(.update, "identity/entity", ["name": "to"]).data["id"]?.stringValue)
        let from = try #require(
            await harness.request(.update, "identity/entity", ["name": "from"]).data["id"]?.stringValue)
        let alias = await harness.request(
            .update, "identity/entity-alias",
            [
                "name": "ann", "mount_accessor": .string(accessor), "canonical_id": .string(from),
                "custom_metadata": ["k": "v"],
            ])
        #expect(alias.status == 200)
        let aliasID = try #require(alias.data["id"]?.stringValue)
        let second = await harness.request(
            .update, "identity/entity-alias",
            ["name": "other", "mount_accessor": .string(accessor), "canonical_id": .string(from)])
        #expect(second.errors == ["Alias already exists for requested entity and mount accessor"])
        let bad = await harness.request(.update, "identity/entity-alias", ["name": "x", "mount_accessor": "auth_nope"])
        #expect(bad.errors == ["invalid mount accessor \"auth_nope\""])
        #expect(
            await harness.request(.update, "identity/entity-alias", ["name": "x"]).errors == [
                "'id' or 'mount_accessor' and 'name' must be provided"
            ])
        let read = await harness.request(.read, "identity/entity-alias/id/\(aliasID)")
        #expect(read.data["custom_metadata"]?.objectValue?["k"] == "v")
        #expect(read.data["mount_path"] == "auth/idp/")
        // A login through the alias lands on the entity the alias names.
        let login = await harness.request(.update, "auth/idp/login", ["user": "ann"], token: "")
        #expect(login.auth["entity_id"]?.stringValue == from)
        #expect(
            await harness.request(
                .update, "identity/entity/merge", ["from_entity_ids": [.string(to)], "to_entity_id": .string(to)]
            ).errors == ["to_entity_id should not be present in from_entity_ids"])
        let merge = await harness.request(
            .update, "identity/entity/merge", ["from_entity_ids": [.string(from)], "to_entity_id": .string(to)])
        #expect(merge.status == 204)
        #expect(await harness.request(.read, "identity/entity/id/\(from)").status == 404)
        let merged = await harness.request(.read, "identity/entity/id/\(to)")
        #expect(merged.data["aliases"]?.arrayValue?.first?.objectValue?["id"]?.stringValue == aliasID)
        #expect(merged.data["merged_entity_ids"] == .strings([from]))
        let again = await harness.request(.update, "auth/idp/login", ["user": "ann"], token: "")
        #expect(again.auth["entity_id"]?.stringValue == to)
        let lookup = await harness.request(
            .update, "identity/lookup/entity", ["alias_name": "ann", "alias_mount_accessor": .string(accessor)])
        #expect(lookup.data["id"]?.stringValue == to)
        #expect(await harness.request(.update, "identity/lookup/entity", ["name": "missing"]).status == 204)
        #expect(
            await harness.request(.update, "identity/lookup/entity", [:]).errors == ["query parameter not supplied"])
        #expect(
            await harness.request(.update, "identity/lookup/entity", ["name": "a", "id": "b"]).errors == [
                "query parameter conflict; please supply distinct set of query parameters"
            ])
        #expect(
            await harness.request(.update, "identity/lookup/entity", ["alias_name": "a"]).errors == [
                "both 'alias_name' and 'alias_mount_accessor' needs to be set"
            ])
        #expect(await harness.request(.delete, "identity/entity-alias/id/\(aliasID)").status == 204)
        #expect(await harness.request(.read, "identity/entity-alias/id/\(aliasID)").status == 404)
    }

    @Test func groupsRefuseWhatVaultRefuses() async throws {
        let (harness, accessor) = try await Self.harness()
        let parent = try #require(
            await harness.request(.update, "identity/group", ["name": "parent"]).data["id"]?.stringValue)
        let child = try #require(
            await harness.request(.update, "identity/group", ["name": "child"]).data["id"]?.stringValue)
        #expect(
            await harness.request(.update, "identity/group/id/\(parent)", ["member_group_ids": [.string(child)]]).status
                == 204)
        let cycle = await harness.request(
            .update, "identity/group/id/\(child)", ["member_group_ids": [.string(parent)]])
        #expect(cycle.errors == ["cyclic relationship detected for member group ID \"\(parent)\""])
        let own = await harness.request(.update, "identity/group/id/\(child)", ["member_group_ids": [.string(child)]])
        #expect(own.errors == ["cyclic relationship detected for member group ID \"\(child)\""])
        #expect(
            await harness.request(.read, "identity/group/id/\(child)").data["parent_group_ids"] == .strings([parent]))
        #expect(
            await harness.request(.update, "identity/group", ["name": "child", "type": "external"]).errors == [
                "group type cannot be changed"
            ])
        #expect(
            await harness.request(.update, "identity/group", ["type": "weird"]).errors == [
                "invalid group type \"weird\""
            ])
        #expect(
            await harness.request(.update, "identity/group", ["policies": "Root"]).errors == [
                "policies cannot contain root"
            ])
        #expect(
            await harness.request(.update, "identity/group/id/nope", ["policies": "a"]).errors == ["invalid group ID"])
        let ext = try #require(
            await harness.request(.update, "identity/group", ["name": "ext", "type": "external"]).data["id"]?
                .stringValue)
        #expect(
            await harness.request(.update, "identity/group/id/\(ext)", ["member_entity_ids": ["x"]]).errors == [
                "member entities can't be set manually for external groups"
            ])
        #expect(
            await harness.request(.update, "identity/group", ["member_entity_ids": ["x"]]).errors == [
                "invalid entity ID \"x\""
            ])
        let onInternal = await harness.request(
            .update, "identity/group-alias",
            ["name": "g", "mount_accessor": .string(accessor), "canonical_id": .string(child)])
        #expect(onInternal.errors == ["alias can't be set on an internal group"])
        #expect(
            await harness.request(.update, "identity/group-alias", ["mount_accessor": .string(accessor)]).errors == [
                "missing alias name"
            ])
        #expect(
            await harness.request(.update, "identity/group-alias", ["name": "g"]).errors == ["missing mount_accessor"])
        let alias = await harness.request(
            .update, "identity/group-alias",
            ["name": "g", "mount_accessor": .string(accessor), "canonical_id": .string(ext)])
        #expect(alias.status == 200)
        let inUse = await harness.request(
            .update, "identity/group-alias", ["name": "g", "mount_accessor": .string(accessor)])
        #expect(inUse.errors == ["combination of mount and group alias name is already in use"])
        let found = await harness.request(
            .update, "identity/lookup/group", ["alias_name": "g", "alias_mount_accessor": .string(accessor)])
        #expect(found.data["id"]?.stringValue == ext)
        #expect(
            await harness.request(.list, "identity/group/name").data["keys"] == .strings(["child", "ext", "parent"]))
        #expect(await harness.request(.delete, "identity/group/id/\(parent)").status == 204)
        #expect(await harness.request(.read, "identity/group/id/\(child)").data["parent_group_ids"] == .null)
    }
}

/// Deletions and merges keep both sides of every membership consistent.
@Suite struct IdentityMembershipTests {
    @Test func deletingAnEntityRemovesItFromItsGroups() async throws {
        let (harness, _) = try await IdentityBackendTests.harness()
        let entity = await harness.request(.update, "identity/entity", ["name": "gone"])
        let entityID = try #require(entity.data["id"]?.stringValue)
        let group = await harness.request(
            .update, "identity/group", ["name": "g", "member_entity_ids": [.string(entityID)]])
        let groupID = try #require(group.data["id"]?.stringValue)
        #expect(await harness.request(.read, "identity/entity/id/\(entityID)").data["group_ids"] == .strings([groupID]))
        #expect(await harness.request(.delete, "identity/entity/id/\(entityID)").status == 204)
        #expect(await harness.request(.read, "identity/group/id/\(groupID)").data["member_entity_ids"] == .null)
        let list = await harness.request(.list, "identity/group/id")
        #expect(list.data["key_info"]?.objectValue?[groupID]?.objectValue?["num_member_entities"] == 0)
    }

    @Test func aMergeWithClashingAliasesNeedsTheAliasToKeep() async throws {
        let (harness, accessor) = try await IdentityBackendTests.harness()
        let first = await harness.request(.update, "auth/idp/login", ["user": "a"], token: "")
        let second = await harness.request(.update, "auth/idp/login", ["user": "b"], token: "")
        let to = try #require(first.auth["entity_id"]?.stringValue)
        let from = try #require(second.auth["entity_id"]?.stringValue)
        let body: [String: JSONValue] = ["from_entity_ids": [.string(from)], "to_entity_id": .string(to)]
        let refused = await harness.request(.update, "identity/entity/merge", body)
        #expect(refused.status == 400)
        #expect(
            refused.errors?.first?.hasPrefix(
                "toEntity and at least one fromEntity have aliases with the same mount accessor") == true)
        let lookup = await harness.request(
            .update, "identity/lookup/entity", ["alias_name": "b", "alias_mount_accessor": .string(accessor)])
        let keep = try #require(lookup.data["aliases"]?.arrayValue?.first?.objectValue?["id"])
        var keeping = body
        keeping["conflicting_alias_ids_to_keep"] = [keep]
        #expect(await harness.request(.update, "identity/entity/merge", keeping).status == 204)
        // The kept alias now leads to the merged entity; the dropped one creates a new entity at its next login.
        #expect(
            await harness.request(.update, "auth/idp/login", ["user": "b"], token: "").auth["entity_id"]?.stringValue
                == to)
        let again = await harness.request(.update, "auth/idp/login", ["user": "a"], token: "")
        #expect(again.auth["entity_id"]?.stringValue != to)
        let merged = await harness.request(.read, "identity/entity/id/\(to)")
        #expect(merged.data["aliases"]?.arrayValue?.count == 1)
    }
}
