import CofferFramework
import CofferTesting
import Testing

/// `users/<name>`, `users/<name>/password` and `users/<name>/policies` (docs/userpass-auth.md § Users).
@Suite struct UserpassUserTests {
    static let password = "correct horse battery staple"

    @Test func storesABcryptHashNeverThePassword() async throws {
        let lab = try await UserpassHarness.make()
        let write = await lab.request(
            .update, "auth/userpass/users/alice", ["password": .string(Self.password), "token_policies": "dev"])
        #expect(write.status == 204)
        let stored = try #require(try await lab.storedRecord("alice"))
        let text = String(decoding: stored, as: UTF8.self)
        #expect(!text.contains(Self.password))
        #expect(!text.contains("horse"))
        #expect(text.contains("\"passwordHash\":\"$2b$10$"))
        let read = await lab.request(.read, "auth/userpass/users/alice")
        #expect(read.status == 200)
        #expect(read.data["password"] == nil && read.data["passwordHash"] == nil)
        #expect(read.data["token_policies"] == .strings(["dev"]))
        #expect(!read.text.contains("$2b$"))
    }

    @Test func createNeedsAPasswordAndNamesAreLowerCased() async throws {
        let lab = try await UserpassHarness.make()
        let missing = await lab.request(.update, "auth/userpass/users/bob", ["token_policies": "dev"])
        #expect(missing.status == 400 && missing.errors == ["missing password"])
        #expect(await lab.request(.update, "auth/userpass/users/Bob", ["password": "pw"]).status == 204)
        #expect(await lab.request(.list, "auth/userpass/users").data["keys"] == .strings(["bob"]))
        #expect(await lab.request(.read, "auth/userpass/users/BOB").status == 200)
        // An update without a password keeps the old one; an empty one is refused.
        #expect(await lab.request(.update, "auth/userpass/users/bob", ["token_ttl": "1h"]).status == 204)
        #expect(await lab.login("BOB", "pw").status == 200)
        let empty = await lab.request(.update, "auth/userpass/users/bob", ["password": ""])
        #expect(empty.status == 400 && empty.errors == ["missing password"])
        #expect(await lab.request(.delete, "auth/userpass/users/bob").status == 204)
        #expect(await lab.request(.read, "auth/userpass/users/bob").status == 404)
        #expect(await lab.request(.list, "auth/userpass/users").status == 404)
    }

    @Test func tokenFieldsAndLegacySpellings() async throws {
        let lab = try await UserpassHarness.make()
        let path = "auth/userpass/users/carol"
        let bad = await lab.request(.update, path, ["password": "pw", "token_type": "default-service"])
        #expect(bad.status == 400 && bad.errors == ["invalid 'token_type' value \"default-service\""])
        let negative = await lab.request(.update, path, ["password": "pw", "token_ttl": "-1s"])
        #expect(negative.status == 400)
        try #require(
            await lab.request(.update, path, ["password": "pw", "policies": "a,B", "ttl": "30m", "token_num_uses": 3])
                .status == 204)
        let read = await lab.request(.read, path).data
        #expect(read["token_policies"] == .strings(["a", "b"]) && read["policies"] == .strings(["a", "b"]))
        #expect(read["token_ttl"] == .int(1800) && read["ttl"] == .int(1800))
        #expect(read["token_num_uses"] == .int(3) && read["token_type"] == "default")
        #expect(read["max_ttl"] == nil && read["bound_cidrs"] == nil)
    }

    @Test func passwordAndPoliciesEndpoints() async throws {
        let lab = try await UserpassHarness.make()
        try #require(await lab.request(.update, "auth/userpass/users/dan", ["password": "old"]).status == 204)
        #expect(await lab.request(.update, "auth/userpass/users/dan/password", ["password": "new"]).status == 204)
        #expect(await lab.login("dan", "old").errors == ["invalid username or password"])
        #expect(await lab.login("dan", "new").status == 200)
        let noUser = await lab.request(.update, "auth/userpass/users/nobody/password", ["password": "x"])
        #expect(noUser.status == 500 && noUser.errors == ["username does not exist"])
        let noPassword = await lab.request(.update, "auth/userpass/users/dan/password", [:])
        #expect(noPassword.status == 400 && noPassword.errors == ["missing password"])

        #expect(
            await lab.request(.update, "auth/userpass/users/dan/policies", ["token_policies": "ops,Dev"]).status == 204)
        var read = await lab.request(.read, "auth/userpass/users/dan").data
        #expect(read["token_policies"] == .strings(["dev", "ops"]) && read["policies"] == nil)
        #expect(await lab.request(.update, "auth/userpass/users/dan/policies", ["policies": "admin"]).status == 204)
        read = await lab.request(.read, "auth/userpass/users/dan").data
        #expect(read["token_policies"] == .strings(["admin"]) && read["policies"] == .strings(["admin"]))
        let none = await lab.request(.update, "auth/userpass/users/dan/policies", [:])
        #expect(none.status == 400 && none.errors == ["no token_policies provided"])
        let login = await lab.login("dan", "new")
        #expect(login.auth["token_policies"] == .strings(["admin", "default"]))
    }

    @Test func namesOutsideVaultsPatternMatchNoPath() async throws {
        let lab = try await UserpassHarness.make()
        for name in ["a@b", "-lead", "trail-", "ünï"] {
            let write = await lab.request(.update, "auth/userpass/users/" + name, ["password": "pw"])
            #expect(write.status == 404, "\(name)")
            #expect(await lab.login(name, "pw").status == 404, "\(name)")
        }
        #expect(await lab.request(.update, "auth/userpass/users/a.b-c_d", ["password": "pw"]).status == 204)
    }

    @Test func passwordsBcryptWouldTruncateAreRefused() async throws {
        let lab = try await UserpassHarness.make()
        let long = String(repeating: "x", count: 73)
        let write = await lab.request(.update, "auth/userpass/users/eve", ["password": .string(long)])
        #expect(write.status == 400 && write.errors == ["bcrypt: password length exceeds 72 bytes"])
        let nul = await lab.request(.update, "auth/userpass/users/eve", ["password": "ab\u{0}cd"])
        #expect(nul.status == 400)
        #expect(await lab.request(.update, "auth/userpass/users/eve", ["password": "ab"]).status == 204)
        #expect(await lab.login("eve", "ab\u{0}cd").status == 400)
    }
}
