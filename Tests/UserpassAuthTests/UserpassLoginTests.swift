import CofferFramework
import CofferTesting
import Testing

/// `login/<name>`: Vault's answers, the token it mints, and the user lockout (docs/userpass-auth.md § Logging in).
@Suite struct UserpassLoginTests {
    static func withUser(_ fields: [String: JSONValue] = [:]) async throws -> UserpassHarness {
        let lab = try await UserpassHarness.make()
        let body = fields.merging(["password": "pw1"]) { own, _ in own }
        try #require(await lab.request(.update, "auth/userpass/users/alice", body).status == 204)
        return lab
    }

    @Test func successMintsATokenWithTheUsersSettings() async throws {
        let lab = try await Self.withUser(["token_policies": "dev", "token_ttl": "1h", "token_num_uses": 4])
        let login = await lab.login("Alice", "pw1")
        #expect(login.status == 200)
        #expect(login.auth["metadata"] == ["username": "alice"])
        #expect(login.auth["token_policies"] == .strings(["default", "dev"]))
        #expect(login.auth["lease_duration"] == .int(3600))
        #expect(login.auth["num_uses"] == .int(4))
        #expect(login.auth["renewable"] == true)
        let entityID = try #require(login.auth["entity_id"]?.stringValue)
        #expect(!entityID.isEmpty)
        let token = try #require(login.clientToken)
        let lookup = await lab.request(.read, "auth/token/lookup-self", token: token)
        #expect(lookup.data["display_name"] == "userpass-alice")
        #expect(lookup.data["path"]?.stringValue?.hasPrefix("auth/userpass/login") == true)
        // The same user logs in to the same entity.
        #expect(await lab.login("alice", "pw1").auth["entity_id"] == .string(entityID))
    }

    @Test func vaultsErrorAnswers() async throws {
        let lab = try await Self.withUser()
        let wrong = await lab.login("alice", "nope")
        #expect(wrong.status == 400 && wrong.errors == ["invalid username or password"])
        let unknown = await lab.login("mallory", "pw1")
        #expect(unknown.status == 400 && unknown.errors == ["invalid username or password"])
        let missing = await lab.request(.update, "auth/userpass/login/alice", [:], token: "")
        #expect(missing.status == 500 && missing.errors == ["missing password"])
        #expect(!wrong.text.contains("nope") && !unknown.text.contains("pw1"))
    }

    @Test func boundCIDRsRefuseOtherAddresses() async throws {
        let lab = try await Self.withUser(["token_bound_cidrs": "10.1.0.0/16"])
        let outside = await lab.login("alice", "pw1", remoteAddress: "127.0.0.1")
        #expect(outside.status == 403 && outside.errors == ["permission denied"])
        #expect(await lab.login("alice", "pw1", remoteAddress: "10.1.2.3").status == 200)
    }

    @Test func fiveFailuresLockTheUserForFifteenMinutes() async throws {
        let lab = try await Self.withUser()
        for _ in 0..<5 { #expect(await lab.login("alice", "wrong").status == 400) }
        let locked = await lab.login("alice", "pw1")
        #expect(locked.status == 403 && locked.errors == ["permission denied"])
        lab.clock.advance(seconds: 14 * 60)
        #expect(await lab.login("alice", "pw1").status == 403)
        lab.clock.advance(seconds: 61)
        #expect(await lab.login("alice", "pw1").status == 200)
        // Unknown users are never counted, so never locked.
        for _ in 0..<6 { #expect(await lab.login("ghost", "x").status == 400) }
    }

    @Test func successClearsTheCountAndOldFailuresExpire() async throws {
        let lab = try await Self.withUser()
        for _ in 0..<4 { await lab.login("alice", "wrong") }
        #expect(await lab.login("alice", "pw1").status == 200)
        for _ in 0..<4 { await lab.login("alice", "wrong") }
        #expect(await lab.login("alice", "pw1").status == 200)
        for _ in 0..<4 { await lab.login("alice", "wrong") }
        lab.clock.advance(seconds: 16 * 60)
        await lab.login("alice", "wrong")
        #expect(await lab.login("alice", "pw1").status == 200)
    }

    @Test func renewalFollowsTheUser() async throws {
        let lab = try await Self.withUser(["token_policies": "dev", "token_ttl": "10m"])
        let token = try #require(await lab.login("alice", "pw1").clientToken)
        try #require(await lab.request(.update, "auth/userpass/users/alice", ["token_ttl": "20m"]).status == 204)
        let renewed = await lab.request(.update, "auth/token/renew-self", token: token)
        #expect(renewed.status == 200)
        #expect(renewed.auth["lease_duration"] == .int(1200))
        try #require(
            await lab.request(.update, "auth/userpass/users/alice/policies", ["token_policies": "ops"]).status == 204)
        let changed = await lab.request(.update, "auth/token/renew-self", token: token)
        #expect(changed.errors?.contains { $0.contains("policies have changed, not renewing") } == true)
    }
}
