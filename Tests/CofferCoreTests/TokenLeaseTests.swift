import CofferFramework
import CofferTesting
import Foundation
import Testing

@testable import CofferCore

/// `sys/leases/*` on token leases: ids as Vault forms them, lookup, renew refusal, revoke, revoke-prefix, listing.
@Suite(.serialized) struct TokenLeaseTests {
    func harness() async throws -> CoreHarness {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/auth/test", ["type": "test-auth"]).status == 204)
        return harness
    }

    /// The salted HMAC a token is stored under (what its lease id ends with).
    func hash(_ harness: CoreHarness, _ token: String) throws -> String {
        try harness.core.unsealed().tokens.hash(token)
    }

    /// A login's lease id: its creation path and `h` + 64 hex digits.
    func leaseID(_ harness: CoreHarness, _ token: String) throws -> String {
        "auth/test/login/h" + (try self.hash(harness, token))
    }

    @Test func lookupAnswersVaultsShapeAndErrors() async throws {
        let harness = try await harness()
        let login = await harness.request(.update, "auth/test/login", ["user": "ann", "ttl": "1h"], token: "")
        let token = try #require(login.clientToken)
        let id = try leaseID(harness, token)
        let lookup = await harness.request(.update, "sys/leases/lookup", ["lease_id": .string(id)])
        #expect(lookup.status == 200)
        #expect(lookup.data["id"] == .string(id))
        #expect(lookup.data["renewable"] == true)
        #expect(lookup.data["last_renewal"] == .null)
        let ttl = try #require(lookup.data["ttl"]?.intValue)
        #expect(ttl > 3590 && ttl <= 3600)
        #expect(lookup.data["expire_time"]?.stringValue?.isEmpty == false)
        #expect(lookup.data["issue_time"]?.stringValue?.isEmpty == false)

        #expect(await harness.request(.update, "sys/leases/lookup", [:]).errors == ["lease_id must be specified"])
        let unknown = await harness.request(
            .update, "sys/leases/lookup", ["lease_id": .string("auth/test/login/h" + String(repeating: "0", count: 64))]
        )
        #expect(unknown.status == 400 && unknown.errors == ["invalid lease"])
        // The hash alone under another path is not the lease.
        let moved = await harness.request(
            .update, "sys/leases/lookup", ["lease_id": .string(id.replacingOccurrences(of: "test", with: "other"))])
        #expect(moved.errors == ["invalid lease"])
        // The root token never expires, so it has no lease.
        let rootHash = try self.hash(harness, harness.rootToken)
        let root = await harness.request(
            .update, "sys/leases/lookup", ["lease_id": .string("auth/token/root/h" + rootHash)])
        #expect(root.errors == ["invalid lease"])
    }

    @Test func renewSendsTokensToTheTokenStore() async throws {
        let harness = try await harness()
        let token = try #require(
            await harness.request(.update, "auth/test/login", ["user": "ann"], token: "").clientToken)
        let id = try leaseID(harness, token)
        for path in ["sys/leases/renew", "sys/renew"] {
            let renew = await harness.request(.update, path, ["lease_id": .string(id), "increment": 60])
            #expect(
                renew.status == 400 && renew.errors == ["tokens cannot be renewed through this endpoint"], "\(path)")
        }
        #expect(
            await harness.request(.update, "sys/renew/" + id, [:]).errors == [
                "tokens cannot be renewed through this endpoint"
            ])
        let unknown = await harness.request(.update, "sys/leases/renew", ["lease_id": "auth/test/login/hzz"])
        #expect(unknown.errors == ["lease not found"])
        #expect(await harness.request(.update, "sys/leases/renew", [:]).errors == ["lease_id must be specified"])
    }

    @Test func revokeRevokesTheTokenAndItsChildren() async throws {
        let harness = try await harness()
        let policy = #"path "auth/token/create" { capabilities = ["update"] }"#
        #expect(await harness.request(.update, "sys/policies/acl/creator", ["policy": .string(policy)]).status == 204)
        let parent = try #require(
            await harness.request(.update, "auth/token/create", ["ttl": "1h", "policies": "creator"]).clientToken)
        let child = try #require(
            await harness.request(.update, "auth/token/create", ["ttl": "1h"], token: parent).clientToken)
        let id = "auth/token/create/h" + (try self.hash(harness, parent))
        #expect(await harness.request(.update, "sys/leases/lookup", ["lease_id": .string(id)]).status == 200)
        #expect(await harness.request(.update, "sys/leases/revoke", ["lease_id": .string(id)]).status == 204)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: parent).status == 403)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: child).status == 403)
        // Unknown leases have nothing to revoke; sync=false answers 202.
        #expect(await harness.request(.update, "sys/leases/revoke", ["lease_id": .string(id)]).status == 204)
        #expect(
            await harness.request(.update, "sys/revoke", ["lease_id": .string(id), "sync": false]).status == 202)
        #expect(await harness.request(.update, "sys/leases/revoke", [:]).errors == ["lease_id must be specified"])
    }

    @Test func revokePrefixRevokesEveryTokenOfAnAuthMountAndOnlyThose() async throws {
        let harness = try await harness()
        #expect(await harness.request(.update, "sys/auth/other", ["type": "test-auth"]).status == 204)
        var tokens: [String] = []
        for user in ["a", "b", "c"] {
            tokens.append(
                try #require(
                    await harness.request(.update, "auth/test/login", ["user": .string(user)], token: "").clientToken))
        }
        let other = try #require(
            await harness.request(.update, "auth/other/login", ["user": "d"], token: "").clientToken)
        let listed = await harness.request(.list, "sys/leases/lookup/auth/test/login/")
        #expect(listed.data["keys"]?.arrayValue?.count == 3)
        #expect(await harness.request(.list, "sys/leases/lookup/auth/").data["keys"] == .strings(["other/", "test/"]))
        #expect(await harness.request(.update, "sys/leases/revoke-prefix/auth/test", [:]).status == 204)
        for token in tokens {
            #expect(await harness.request(.read, "auth/token/lookup-self", token: token).status == 403)
        }
        #expect(await harness.request(.read, "auth/token/lookup-self", token: other).status == 200)
        #expect(await harness.request(.list, "sys/leases/lookup/auth/test/").status == 404)
        #expect(await harness.request(.update, "sys/leases/revoke-force/auth/other", [:]).status == 204)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: other).status == 403)
        // The root token has no lease: an empty-looking prefix revokes nothing it should not.
        #expect(await harness.request(.update, "sys/revoke-prefix/auth", [:]).status == 204)
        #expect(await harness.request(.read, "auth/token/lookup-self").status == 200)
    }

    @Test func prefixRevocationAndListingNeedSudo() async throws {
        let harness = try await harness()
        let policy = #"path "sys/leases/*" { capabilities = ["update", "list"] }"#
        #expect(await harness.request(.update, "sys/policies/acl/leases", ["policy": .string(policy)]).status == 204)
        let token = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "leases"]).clientToken)
        #expect(await harness.request(.update, "sys/leases/revoke-prefix/auth/test", [:], token: token).status == 403)
        #expect(await harness.request(.list, "sys/leases/lookup/auth/", token: token).status == 403)
        let lookup = await harness.request(.update, "sys/leases/lookup", ["lease_id": "x/hz"], token: token)
        #expect(lookup.errors == ["invalid lease"])
    }

    @Test func tidyAnswers202WithVaultsWarning() async throws {
        let harness = try await harness()
        let tidy = await harness.request(.update, "sys/leases/tidy")
        #expect(tidy.status == 202)
        #expect(
            tidy.warnings == [
                "Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."
            ])
    }
}
