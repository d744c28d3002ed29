import CofferCore
import CofferFramework
import CofferTesting
import Testing

/// The core's auth-method plumbing, driven by the test-only auth method.
@Suite(.serialized) struct LoginPlumbingTests {
    func harnessWithTestAuth(path: String = "test") async throws -> CoreHarness {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/auth/\(path)", ["type": "test-auth"]).status == 204)
        return harness
    }

    @Test func loginIssuesAnOrphanTokenWithDefaultPolicyAndMountDefaults() async throws {
        let harness = try await harnessWithTestAuth()
        let login = await harness.core.handle(
            CoreRequest(
                operation: .update, path: "auth/test/login", data: ["user": "alice", "policies": "dev,prod"],
                token: "stale-token"))
        #expect(login.status == 200)
        #expect(login.auth["policies"] == .strings(["default", "dev", "prod"]))
        #expect(login.auth["lease_duration"] == .int(2_764_800))
        #expect(login.auth["renewable"] == .bool(true))
        #expect(login.auth["orphan"] == .bool(true))
        #expect(login.auth["metadata"] == .object(["user": "alice"]))
        #expect(login.envelope?.data == nil)
        let token = try #require(login.clientToken)
        let lookup = await harness.request(.read, "auth/token/lookup-self", token: token)
        #expect(lookup.data["path"] == "auth/test/login")
        #expect(lookup.data["display_name"] == "test-alice")
        #expect(lookup.data["meta"] == .object(["user": "alice"]))
        #expect(lookup.data["entity_id"] == login.auth["entity_id"])
    }

    @Test func sameAliasReusesTheEntityAndRejectedLoginCreatesNothing() async throws {
        let harness = try await harnessWithTestAuth()
        let first = await harness.request(.update, "auth/test/login", ["user": "bob"], token: "")
        let second = await harness.request(.update, "auth/test/login", ["user": "bob"], token: "")
        let other = await harness.request(.update, "auth/test/login", ["user": "carol"], token: "")
        let entity = try #require(first.auth["entity_id"]?.stringValue)
        #expect(!entity.isEmpty)
        #expect(second.auth["entity_id"] == .string(entity))
        #expect(other.auth["entity_id"] != .string(entity))
        let before = await harness.request(.list, "identity/entity/id").data["keys"]?.arrayValue?.count
        let rejected = await harness.request(.update, "auth/test/login", ["user": ""], token: "")
        #expect(rejected.status == 400)
        #expect(rejected.errors == ["missing user"])
        let after = await harness.request(.list, "identity/entity/id").data["keys"]?.arrayValue?.count
        #expect(before == after)
        let read = await harness.request(.read, "identity/entity/id/\(entity)")
        #expect(read.data["aliases"]?.arrayValue?.first?.objectValue?["name"] == "bob")
    }

    @Test func roleTTLsAreBoundedByTheAuthMountTuning() async throws {
        let harness = try await harnessWithTestAuth()
        #expect(
            await harness.request(.update, "sys/auth/test/tune", ["default_lease_ttl": "30m", "max_lease_ttl": "1h"])
                .status == 204)
        let byDefault = await harness.request(.update, "auth/test/login", ["user": "a"], token: "")
        #expect(byDefault.auth["lease_duration"] == .int(1800))
        let capped = await harness.request(.update, "auth/test/login", ["user": "a", "ttl": "2h"], token: "")
        #expect(capped.auth["lease_duration"] == .int(3600))
        #expect(capped.envelope?.warnings.first?.contains("capped accordingly") == true)
        let roleMax = await harness.request(
            .update, "auth/test/login", ["user": "a", "ttl": "50m", "max_ttl": "10m"], token: "")
        #expect(roleMax.auth["lease_duration"] == .int(600))
        let tune = await harness.request(.read, "sys/auth/test/tune")
        #expect(tune.data["default_lease_ttl"] == .int(1800))
        #expect(tune.data["max_lease_ttl"] == .int(3600))
    }

    @Test func renewalCallsBackIntoTheMethodAndCanBeRefused() async throws {
        let harness = try await harnessWithTestAuth()
        let token = try #require(
            await harness.request(.update, "auth/test/login", ["user": "d", "ttl": "1m"], token: "").clientToken)
        TestAuthMethod.refuseRenewal.withLock { $0 = false }
        let before = TestAuthMethod.renewals.withLock { $0 }
        let renewed = await harness.request(.update, "auth/token/renew-self", token: token)
        #expect(renewed.status == 200)
        #expect(renewed.auth["lease_duration"] == .int(60))
        #expect(TestAuthMethod.renewals.withLock { $0 } == before + 1)
        TestAuthMethod.refuseRenewal.withLock { $0 = true }
        defer { TestAuthMethod.refuseRenewal.withLock { $0 = false } }
        let refused = await harness.request(.update, "auth/token/renew-self", token: token)
        #expect(refused.status == 400)
        #expect(refused.errors == ["role no longer exists"])
    }

    @Test func batchLoginTokensAndGroupAliasesAndDisabledMountRevocation() async throws {
        let harness = try await harnessWithTestAuth()
        let batch = await harness.request(.update, "auth/test/login", ["user": "e", "token_type": "batch"], token: "")
        #expect(batch.clientToken?.hasPrefix("hvb.") == true)
        #expect(batch.auth["renewable"] == .bool(false))
        let service = try #require(
            await harness.request(.update, "auth/test/login", ["user": "f", "groups": "g1,g2"], token: "").clientToken)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: service).status == 200)
        #expect(await harness.request(.delete, "sys/auth/test").status == 204)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: service).status == 403)
    }

    @Test func authMethodsCannotIssueRootTokens() async throws {
        let harness = try await harnessWithTestAuth()
        let login = await harness.request(.update, "auth/test/login", ["user": "g", "policies": "root"], token: "")
        #expect(login.status == 400)
        #expect(login.errors == ["auth methods cannot create root tokens"])
    }
}
