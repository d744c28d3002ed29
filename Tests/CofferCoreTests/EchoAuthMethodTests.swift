import CofferCore
import CofferFramework
import CofferTesting
import Testing

/// An auth method written only against the public framework (``EchoAuthMethod``) works end to end through the
/// core: its roles take the shared `token_*` fields and its logins get tokens from the shared issuer.
@Suite struct EchoAuthMethodTests {
    static func harness() async throws -> CoreHarness {
        let harness = try await CoreHarness.make(extraBackends: [EchoAuthMethod.factory])
        try #require(
            await harness.request(.update, "sys/auth/echo", ["type": .string(EchoAuthMethod.type)]).status == 204)
        return harness
    }

    @Test func loginTokensFollowTheRolesTokenParams() async throws {
        let harness = try await Self.harness()
        let role: [String: JSONValue] = [
            "token_policies": "dev,ops", "token_ttl": "1h", "token_max_ttl": "2h", "token_num_uses": 5,
        ]
        #expect(await harness.request(.update, "auth/echo/role/dev", role).status == 204)
        let read = await harness.request(.read, "auth/echo/role/dev")
        #expect(read.data["token_ttl"] == .int(3600) && read.data["token_policies"] == .strings(["dev", "ops"]))
        #expect(read.data["token_type"] == "default")

        let login = await harness.request(.update, "auth/echo/login", ["role": "dev", "user": "ann"], token: "")
        #expect(login.status == 200)
        #expect(login.auth["policies"] == .strings(["default", "dev", "ops"]))
        #expect(login.auth["lease_duration"] == .int(3600) && login.auth["num_uses"] == .int(5))
        #expect(login.auth["token_type"] == "service" && login.auth["orphan"] == .bool(true))
        let token = try #require(login.clientToken)
        let lookup = await harness.request(.read, "auth/token/lookup-self", token: token)
        #expect(lookup.data["path"] == "auth/echo/login" && lookup.data["display_name"] == "echo-ann")
        #expect(lookup.data["meta"] == .object(["role": "dev"]))
        let renewed = await harness.request(.update, "auth/token/renew-self", token: token)
        #expect(renewed.auth["lease_duration"] == .int(3600))
    }

    @Test func theSharedRulesApply() async throws {
        let harness = try await Self.harness()
        let refused = await harness.request(.update, "auth/echo/role/r", ["token_type": "default-service"])
        #expect(refused.errors == ["invalid 'token_type' value \"default-service\""])
        #expect(await harness.request(.update, "auth/echo/role/b", ["token_type": "batch"]).status == 204)
        let batch = await harness.request(.update, "auth/echo/login", ["role": "b", "user": "x"], token: "")
        #expect(batch.auth["token_type"] == "batch" && batch.auth["accessor"] == "")
        let unknown = await harness.request(.update, "auth/echo/login", ["role": "nope", "user": "x"], token: "")
        #expect(unknown.errors == ["invalid role name \"nope\""])
    }
}
