import CofferFramework
import CofferTesting
import Testing

@testable import CofferCore

/// Group policies reach tokens per request: external groups through a login's (or renewal's) group aliases,
/// parent internal groups transitively, never `root`.
@Suite struct IdentityGroupPolicyTests {
    static let readPolicy = #"path "secret/data/team/*" { capabilities = ["read"] }"#

    static func setUp() async throws -> (CoreHarness, accessor: String, groupID: String) {
        let (harness, accessor) = try await IdentityBackendTests.harness()
        #expect(await harness.request(.update, "sys/policy/team-a", ["policy": .string(readPolicy)]).status == 204)
        #expect(
            await harness.request(.update, "sys/mounts/secret", ["type": "kv", "options": ["version": "2"]]).status
                == 204)
        #expect(await harness.request(.update, "secret/data/team/x", ["data": ["k": "v"]]).status == 200)
        let group = await harness.request(
            .update, "identity/group", ["name": "team", "type": "external", "policies": "team-a"])
        let groupID = try #require(group.data["id"]?.stringValue)
        let alias = await harness.request(
            .update, "identity/group-alias",
            ["name": "entra-x", "mount_accessor": .string(accessor), "canonical_id": .string(groupID)])
        #expect(alias.status == 200)
        return (harness, accessor, groupID)
    }

    @Test func externalGroupPoliciesFollowLoginsAndGroupChanges() async throws {
        let (harness, _, groupID) = try await Self.setUp()
        let login = await harness.request(
            .update, "auth/idp/login", ["user": "vm", "groups": "entra-x,unknown"], token: "")
        #expect(login.auth["identity_policies"] == .strings(["team-a"]))
        let token = try #require(login.clientToken)
        #expect(await harness.request(.read, "secret/data/team/x", token: token).status == 200)
        let group = await harness.request(.read, "identity/group/id/\(groupID)")
        #expect(group.data["member_entity_ids"] == .strings([try #require(login.auth["entity_id"]?.stringValue)]))
        // A policy removed from the group is gone on the next request.
        #expect(
            await harness.request(.update, "identity/group/id/\(groupID)", ["type": "external", "policies": []]).status
                == 204)
        #expect(await harness.request(.read, "secret/data/team/x", token: token).status == 403)
        #expect(
            await harness.request(.update, "identity/group/id/\(groupID)", ["type": "external", "policies": "team-a"])
                .status == 204)
        #expect(await harness.request(.read, "secret/data/team/x", token: token).status == 200)
        // A later login without the group takes the membership away from every token of the entity.
        let without = await harness.request(.update, "auth/idp/login", ["user": "vm", "groups": ""], token: "")
        #expect(without.auth["identity_policies"] == nil)
        #expect(await harness.request(.read, "secret/data/team/x", token: token).status == 403)
        _ = await harness.request(.update, "auth/idp/login", ["user": "vm", "groups": "entra-x"], token: "")
        #expect(await harness.request(.read, "secret/data/team/x", token: token).status == 200)
        // Deleting the group: gone on the next request.
        #expect(await harness.request(.delete, "identity/group/id/\(groupID)").status == 204)
        #expect(await harness.request(.read, "secret/data/team/x", token: token).status == 403)
        let lookup = await harness.request(.read, "auth/token/lookup-self", token: token)
        #expect(lookup.data["identity_policies"] == nil)
    }

    @Test func aRenewalRefreshesExternalMemberships() async throws {
        let (harness, _, _) = try await Self.setUp()
        let login = await harness.request(.update, "auth/idp/login", ["user": "vm", "groups": "entra-x"], token: "")
        let token = try #require(login.clientToken)
        #expect(await harness.request(.read, "secret/data/team/x", token: token).status == 200)
        #expect(await harness.request(.update, "auth/idp/groups/vm", ["groups": "other"]).status == 204)
        let renewed = await harness.request(.update, "auth/token/renew-self", [:], token: token)
        #expect(renewed.status == 200)
        #expect(renewed.auth["identity_policies"] == nil)
        #expect(await harness.request(.read, "secret/data/team/x", token: token).status == 403)
        #expect(await harness.request(.update, "auth/idp/groups/vm", ["groups": "entra-x"]).status == 204)
        let back = await harness.request(.update, "auth/token/renew-self", [:], token: token)
        #expect(back.auth["identity_policies"] == .strings(["team-a"]))
    }

    @Test func parentInternalGroupsGrantTheirPoliciesAndRootNever() async throws {
        let (harness, _, groupID) = try await Self.setUp()
        #expect(await harness.request(.update, "sys/policy/parent", ["policy": .string(Self.readPolicy)]).status == 204)
        let parent = await harness.request(
            .update, "identity/group", ["name": "parent", "policies": "parent", "member_group_ids": [.string(groupID)]])
        let parentID = try #require(parent.data["id"]?.stringValue)
        let login = await harness.request(.update, "auth/idp/login", ["user": "vm", "groups": "entra-x"], token: "")
        #expect(login.auth["identity_policies"] == .strings(["parent", "team-a"]))
        let entityID = try #require(login.auth["entity_id"]?.stringValue)
        let entity = await harness.request(.read, "identity/entity/id/\(entityID)")
        #expect(entity.data["direct_group_ids"] == .strings([groupID]))
        #expect(entity.data["inherited_group_ids"] == .strings([parentID]))
        // Stored data is not trusted for root: a group record holding it grants nothing more.
        let identity = try harness.core.unsealed().identity
        var stored = try #require(try await identity.group(id: groupID))
        stored.policies.append("root")
        try await identity.storage.putJSON("group/" + groupID, stored)
        identity.groupCache.withLock { $0[groupID] = nil }
        #expect(try await identity.policies(entityID: entityID) == ["parent", "team-a"])
        let token = try #require(login.clientToken)
        #expect(
            await harness.request(.update, "sys/auth/x", ["type": .string(GroupReportingAuthMethod.type)], token: token)
                .status == 403)
    }

    @Test func internalMembershipsGrantPoliciesAndClearWithNull() async throws {
        let (harness, _, _) = try await Self.setUp()
        let login = await harness.request(.update, "auth/idp/login", ["user": "ann"], token: "")
        let token = try #require(login.clientToken)
        let entityID = try #require(login.auth["entity_id"]?.stringValue)
        let group = await harness.request(
            .update, "identity/group", ["name": "devs", "policies": "team-a", "member_entity_ids": [.string(entityID)]])
        let groupID = try #require(group.data["id"]?.stringValue)
        #expect(await harness.request(.read, "secret/data/team/x", token: token).status == 200)
        // hvac sends members it was not given as null: Vault clears them.
        #expect(
            await harness.request(.update, "identity/group/id/\(groupID)", ["member_entity_ids": .null]).status == 204)
        #expect(await harness.request(.read, "secret/data/team/x", token: token).status == 403)
        #expect(await harness.request(.read, "identity/entity/id/\(entityID)").data["group_ids"] == .strings([]))
    }
}
