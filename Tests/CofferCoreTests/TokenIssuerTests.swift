import CofferFramework
import CofferTesting
import Testing

@testable import CofferCore

/// One issuer mints every token: the token store's `create` and an auth method's login follow the same rules.
@Suite struct TokenIssuerTests {
    static func harness() async throws -> CoreHarness {
        let harness = try await CoreHarness.make()
        try #require(await harness.request(.update, "sys/auth/test", ["type": "test-auth"]).status == 204)
        return harness
    }

    @Test func issuedServiceTokensAreStoredAndResolve() async throws {
        let harness = try await Self.harness()
        var order = TokenIssuer.Order(
            policies: ["default", "dev"], path: "auth/test/login", displayName: "test-x", mountConfig: MountConfig())
        order.ttl = 600
        order.meta = [:]
        let issued = try await TokenIssuer(core: harness.core).issue(order)
        #expect(issued.id.hasPrefix("hvs.") && !issued.entry.accessor.isEmpty && issued.warnings.isEmpty)
        let lookup = await harness.request(.read, "auth/token/lookup-self", token: issued.id)
        #expect(lookup.data["policies"] == .strings(["default", "dev"]))
        #expect(lookup.data["display_name"] == "test-x" && lookup.data["path"] == "auth/test/login")
        #expect(lookup.data["creation_ttl"] == .int(600) && lookup.data["renewable"] == .bool(true))
        #expect(lookup.data["meta"] == .null && lookup.data["orphan"] == .bool(true))
    }

    @Test func batchTokensHaveNoAccessorAndAreNotRenewable() async throws {
        let harness = try await Self.harness()
        var order = TokenIssuer.Order(policies: ["default"], path: "p", displayName: "d", mountConfig: MountConfig())
        order.type = .batch
        let issued = try await TokenIssuer(core: harness.core).issue(order)
        #expect(issued.id.hasPrefix("hvb.") && issued.entry.accessor.isEmpty && !issued.entry.renewable)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: issued.id).data["type"] == "batch")
    }

    @Test func aNonExpiringTokenKeepsNoCIDRBinding() async throws {
        let harness = try await Self.harness()
        var order = TokenIssuer.Order(policies: ["root"], path: "p", displayName: "d", mountConfig: MountConfig())
        order.boundCIDRs = ["10.0.0.0/8"]
        let issued = try await TokenIssuer(core: harness.core).issue(order)
        #expect(issued.entry.ttl == 0 && issued.entry.boundCIDRs.isEmpty && !issued.entry.renewable)
    }

    @Test func reservedPolicyNamesAreRefusedOnBothPaths() async throws {
        let harness = try await Self.harness()
        let message = ["cannot assign policy \"response-wrapping\""]
        let created = await harness.request(.update, "auth/token/create", ["policies": "response-wrapping"])
        #expect(created.status == 400 && created.errors == message)
        let login = await harness.request(
            .update, "auth/test/login", ["user": "a", "policies": "response-wrapping"], token: "")
        #expect(login.status == 400 && login.errors == message)
    }

    @Test func aCappedTTLWarnsTheSameOnBothPaths() async throws {
        let harness = try await Self.harness()
        for mount in ["token", "test"] {
            let tuned = await harness.request(.update, "sys/auth/\(mount)/tune", ["max_lease_ttl": "1h"])
            try #require(tuned.status == 204)
        }
        let warning = "TTL of \"2h\" exceeded the effective max_ttl of \"1h\"; TTL value is capped accordingly"
        let created = await harness.request(.update, "auth/token/create", ["ttl": "2h"])
        #expect(created.auth["lease_duration"] == .int(3600) && created.envelope?.warnings == [warning])
        let login = await harness.request(.update, "auth/test/login", ["user": "a", "ttl": "2h"], token: "")
        #expect(login.auth["lease_duration"] == .int(3600) && login.envelope?.warnings == [warning])
    }

    @Test func loginTokenTypeFollowsTheMountDefaultUnlessTheMethodChooses() async throws {
        let harness = try await Self.harness()
        try #require(
            await harness.request(.update, "sys/auth/test/tune", ["token_type": "default-batch"]).status == 204)
        let byMount = await harness.request(.update, "auth/test/login", ["user": "a"], token: "")
        #expect(byMount.auth["token_type"] == "batch")
        let chosen = await harness.request(
            .update, "auth/test/login", ["user": "a", "token_type": "service"], token: "")
        #expect(chosen.auth["token_type"] == "service")
    }
}
