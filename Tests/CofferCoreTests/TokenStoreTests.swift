import CofferCore
import CofferFramework
import CofferStorage
import CofferTesting
import Foundation
import Testing

@Suite struct TokenStoreTests {
    @Test func createdTokenLooksUpWithPoliciesAndTTL() async throws {
        let harness = try await CoreHarness.make()
        let created = await harness.request(.update, "auth/token/create", ["policies": "dev,ops", "ttl": "1h"])
        #expect(created.status == 200)
        let token = try #require(created.clientToken)
        #expect(token.hasPrefix("hvs."))
        #expect(created.auth["policies"] == .strings(["default", "dev", "ops"]))
        #expect(created.auth["lease_duration"] == .int(3600))
        #expect(created.auth["orphan"] == .bool(false))
        let lookup = await harness.request(.read, "auth/token/lookup-self", token: token)
        #expect(lookup.status == 200)
        #expect(lookup.data["id"] == .string(token))
        #expect(lookup.data["policies"] == .strings(["default", "dev", "ops"]))
        if case .int(let ttl)? = lookup.data["ttl"] {
            #expect(ttl > 3590 && ttl <= 3600)
        } else {
            Issue.record("ttl missing")
        }
    }

    @Test func unknownTokenIsInvalidTokenAndMissingTokenIsPermissionDenied() async throws {
        let harness = try await CoreHarness.make()
        let bad = await harness.request(.read, "auth/token/lookup-self", token: "hvs.nope")
        #expect(bad.status == 403)
        #expect(bad.error == .invalidToken)
        #expect(bad.error?.messages == ["permission denied", "invalid token"])
        let missing = await harness.core.handle(CoreRequest(operation: .read, path: "auth/token/lookup-self"))
        #expect(missing.status == 403)
        #expect(missing.error == LogicalError(status: 403, messages: ["permission denied"], isMultiError: false))
    }

    @Test func revokingParentRevokesChildrenButNotOrphans() async throws {
        let harness = try await CoreHarness.make()
        let parent = try #require(await harness.request(.update, "auth/token/create", ["policies": "root"]).clientToken)
        let child = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "dev"], token: parent).clientToken)
        let orphan = try #require(
            await harness.request(.update, "auth/token/create-orphan", ["policies": "dev"], token: parent).clientToken)
        #expect(await harness.request(.update, "auth/token/revoke", ["token": .string(parent)]).status == 204)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: child).status == 403)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: orphan).status == 200)
    }

    @Test func revokeOrphanKeepsChildrenAlive() async throws {
        let harness = try await CoreHarness.make()
        let parent = try #require(await harness.request(.update, "auth/token/create", ["policies": "root"]).clientToken)
        let child = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "dev"], token: parent).clientToken)
        #expect(await harness.request(.update, "auth/token/revoke-orphan", ["token": .string(parent)]).status == 204)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: parent).status == 403)
        let lookup = await harness.request(.read, "auth/token/lookup-self", token: child)
        #expect(lookup.status == 200)
        #expect(lookup.data["orphan"] == .bool(true))
    }

    @Test func expiredTokenAndItsChildAreRevokedWithoutClientAction() async throws {
        let harness = try await CoreHarness.make()
        let parent = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "root", "ttl": "2s"]).clientToken)
        let child = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "dev", "ttl": "1h"], token: parent)
                .clientToken)
        let accessor = try #require(
            await harness.request(.read, "auth/token/lookup-self", token: child).data["accessor"]?.stringValue)
        try await Task.sleep(nanoseconds: 3_000_000_000)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: parent).status == 403)
        // The child had an hour left: only the expiration manager's revocation of the tree removes it.
        #expect(await harness.request(.read, "auth/token/lookup-self", token: child).status == 403)
        let byAccessor = await harness.request(.update, "auth/token/lookup-accessor", ["accessor": .string(accessor)])
        #expect(byAccessor.status == 400)
    }

    @Test func childPoliciesMustBeSubsetOfParentWithoutSudo() async throws {
        let harness = try await CoreHarness.make()
        #expect(
            await harness.request(
                .update, "sys/policy/dev", ["policy": #"path "auth/token/create" { capabilities = ["update"] }"#]
            ).status == 204)
        let dev = try #require(await harness.request(.update, "auth/token/create", ["policies": "dev"]).clientToken)
        let refused = await harness.request(.update, "auth/token/create", ["policies": "ops"], token: dev)
        #expect(refused.status == 400)
        #expect(refused.errors == ["child policies must be subset of parent"])
        let allowed = await harness.request(.update, "auth/token/create", ["policies": "dev"], token: dev)
        #expect(allowed.status == 200)
        let orphan = await harness.request(.update, "auth/token/create", ["no_parent": true], token: dev)
        #expect(orphan.errors == ["root or sudo privileges required to create orphan token"])
    }

    @Test func ttlIsCappedByTheTokenMountMaxWithWarning() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/auth/token/tune", ["max_lease_ttl": "1h"]).status == 204)
        let created = await harness.request(.update, "auth/token/create", ["policies": "dev", "ttl": "2h"])
        #expect(created.auth["lease_duration"] == .int(3600))
        #expect(
            created.envelope?.warnings.contains(
                #"TTL of "2h" exceeded the effective max_ttl of "1h"; TTL value is capped accordingly"#) == true)
    }

    @Test func renewSelfExtendsAndBatchTokensCannotRenew() async throws {
        let harness = try await CoreHarness.make()
        let token = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "dev", "ttl": "60s"]).clientToken)
        let renewed = await harness.request(.update, "auth/token/renew-self", ["increment": "120s"], token: token)
        #expect(renewed.status == 200)
        #expect(renewed.auth["lease_duration"] == .int(120))
        let batch = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "dev", "type": "batch"]).clientToken)
        #expect(batch.hasPrefix("hvb."))
        #expect(await harness.request(.read, "auth/token/lookup-self", token: batch).status == 200)
        let refused = await harness.request(.update, "auth/token/renew-self", token: batch)
        #expect(refused.errors == ["batch tokens cannot be renewed"])
        let root = await harness.request(.update, "auth/token/renew-self")
        #expect(root.errors == ["lease is not renewable"])
    }

    @Test func limitedUseTokenIsRevokedAfterLastUse() async throws {
        let harness = try await CoreHarness.make()
        let token = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "dev", "num_uses": 2]).clientToken)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: token).status == 200)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: token).status == 200)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: token).status == 403)
    }

    @Test func tokenStringsNeverReachStorage() async throws {
        let physical = MemoryPhysical()
        let harness = try await CoreHarness.make(physical: physical, rootTokenID: "root-token-marker")
        let token = try #require(await harness.request(.update, "auth/token/create", ["policies": "dev"]).clientToken)
        let keys = try await physical.listAllKeysForTest()
        for key in keys {
            #expect(!key.contains(token) && !key.contains("root-token-marker"))
            let value = try #require(try await physical.get(key))
            let text = String(decoding: value, as: UTF8.self)
            #expect(!text.contains(token) && !text.contains("root-token-marker"))
        }
        #expect(keys.count > 5)
    }

    @Test func accessorListingNeedsSudo() async throws {
        let harness = try await CoreHarness.make()
        #expect(
            await harness.request(
                .update, "sys/policy/lister",
                [
                    "policy":
                        #"path "auth/token/accessors/*" { capabilities = ["list"] } path "auth/token/accessors" { capabilities = ["list"] }"#
                ]
            ).status == 204)
        let lister = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "lister"]).clientToken)
        #expect(await harness.request(.list, "auth/token/accessors", token: lister).status == 403)
        let listed = await harness.request(.list, "auth/token/accessors")
        #expect(listed.status == 200)
        #expect((listed.data["keys"]?.arrayValue?.count ?? 0) >= 2)
    }
}

extension MemoryPhysical {
    /// Every key, recursively.
    func listAllKeysForTest() async throws -> [String] {
        var result: [String] = []
        var pending = [""]
        while let prefix = pending.popLast() {
            for child in try await list(prefix: prefix) {
                if child.hasSuffix("/") { pending.append(prefix + child) } else { result.append(prefix + child) }
            }
        }
        return result
    }
}
