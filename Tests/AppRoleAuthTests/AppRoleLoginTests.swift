import CofferFramework
import CofferTesting
import Foundation
import Testing

/// Logins: the token they mint, Vault's refusals, CIDR limits, use counts under concurrency and expiry.
@Suite struct AppRoleLoginTests {
    @Test func loginMintsATokenWithTheRolesSettings() async throws {
        let lab = try await AppRoleLab.make()
        let (roleID, secretID) = try await lab.credentials(
            role: "ci", ["token_policies": "build", "token_ttl": "1h"],
            secretID: ["metadata": "{\"host\":\"runner-1\"}"])
        let login = await lab.login(roleID, secretID)
        #expect(login.status == 200)
        #expect(login.auth["policies"] == .strings(["build", "default"]))
        #expect(login.auth["metadata"] == ["host": "runner-1", "role_name": "ci"])
        #expect(login.auth["lease_duration"] == 3600)
        let token = try #require(login.clientToken)
        let me = await lab.harness.request(.read, "auth/token/lookup-self", token: token)
        #expect(me.data["display_name"] == "approle")
        #expect(me.data["path"] == "auth/approle/login")
        // A role change reaches the next login.
        #expect(await lab.request(.update, "role/ci", ["token_policies": "deploy"]).status == 204)
        #expect(await lab.login(roleID, secretID).auth["policies"] == .strings(["default", "deploy"]))
    }

    @Test func vaultsLoginRefusals() async throws {
        let lab = try await AppRoleLab.make()
        let (roleID, secretID) = try await lab.credentials(role: "ci")
        #expect(await lab.login("", secretID).errors == ["missing role_id"])
        #expect(await lab.login("no-such-role-id", secretID).errors == ["invalid role or secret ID"])
        #expect(await lab.login(roleID, nil).errors == ["missing secret_id"])
        let wrong = await lab.login(roleID, "not-a-secret-id")
        #expect(wrong.status == 400)
        #expect(wrong.errors == ["invalid role or secret ID"])
        #expect(await lab.login(roleID, secretID).status == 200)
    }

    @Test func cidrLimitsOnTheRoleAndTheSecretID() async throws {
        let lab = try await AppRoleLab.make()
        let (roleID, secretID) = try await lab.credentials(
            role: "ci", ["secret_id_bound_cidrs": "10.0.0.0/8"], secretID: ["cidr_list": "10.1.0.0/16"])
        let outsideRole = await lab.login(roleID, secretID, from: "192.168.1.1")
        #expect(outsideRole.status == 400)
        #expect(
            outsideRole.errors == [
                "source address \"192.168.1.1\" unauthorized through CIDR restrictions on the secret ID"
            ])
        #expect(await lab.login(roleID, secretID, from: "10.2.0.1").status == 400)
        #expect(await lab.login(roleID, secretID, from: "10.1.2.3").status == 200)
        #expect(
            await lab.request(.update, "role/nets", ["bind_secret_id": false, "secret_id_bound_cidrs": "10.0.0.0/8"])
                .status == 204)
        let netsRoleID = try #require(await lab.request(.read, "role/nets/role-id").data["role_id"]?.stringValue)
        let refused = await lab.login(netsRoleID, nil, from: "127.0.0.1")
        #expect(refused.errors == ["source address \"127.0.0.1\" unauthorized by CIDR restrictions on the role: <nil>"])
        #expect(await lab.login(netsRoleID, nil, from: "10.9.9.9").status == 200)
    }

    @Test func tokenBoundCIDRsComeFromTheSecretIDElseTheRole() async throws {
        let lab = try await AppRoleLab.make()
        let (roleID, secretID) = try await lab.credentials(
            role: "ci", ["token_bound_cidrs": "127.0.0.0/8"], secretID: ["token_bound_cidrs": "127.0.0.1/32"])
        let token = try #require(await lab.login(roleID, secretID).clientToken)
        let me = await lab.harness.request(.read, "auth/token/lookup-self", token: token)
        #expect(me.data["bound_cidrs"] == .strings(["127.0.0.1/32"]))
        let elsewhere = await lab.harness.request(
            .read, "auth/token/lookup-self", token: token, remoteAddress: "127.0.0.2")
        #expect(elsewhere.status == 403)
    }

    @Test func numUsesIsExactUnderFiftyConcurrentLogins() async throws {
        let lab = try await AppRoleLab.make()
        let (roleID, secretID) = try await lab.credentials(
            role: "ci", ["secret_id_num_uses": 7])
        let statuses = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<50 { group.addTask { await lab.login(roleID, secretID).status } }
            return await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 200 }.count == 7)
        // The 43 others are refused: 400 while counted as failures, 403 once the role id is locked out.
        #expect(statuses.filter { $0 == 400 || $0 == 403 }.count == 43)
        #expect(await lab.request(.update, "role/ci/secret-id/lookup", ["secret_id": .string(secretID)]).status == 204)
        #expect(await lab.request(.list, "role/ci/secret-id").status == 404)
    }

    @Test func expiredSecretIDsAreRefusedAndTidied() async throws {
        let lab = try await AppRoleLab.make()
        let (roleID, secretID) = try await lab.credentials(role: "ci", ["secret_id_ttl": "60s"])
        let spare = try #require(await lab.request(.update, "role/ci/secret-id").data["secret_id"]?.stringValue)
        #expect(await lab.login(roleID, secretID).status == 200)
        lab.clock.advance(seconds: 61)
        #expect(await lab.login(roleID, secretID).errors == ["invalid role or secret ID"])
        #expect(await lab.request(.list, "role/ci/secret-id").data["keys"]?.arrayValue?.count == 1)
        let tidy = await lab.request(.update, "tidy/secret-id")
        #expect(tidy.status == 202)
        #expect(await lab.request(.list, "role/ci/secret-id").status == 404)
        #expect(await lab.request(.update, "role/ci/secret-id/lookup", ["secret_id": .string(spare)]).status == 204)
    }

    @Test func renewalFollowsTheRole() async throws {
        let lab = try await AppRoleLab.make()
        let (roleID, secretID) = try await lab.credentials(role: "ci", ["token_ttl": "1h", "token_max_ttl": "4h"])
        let token = try #require(await lab.login(roleID, secretID).clientToken)
        #expect(await lab.harness.request(.update, "auth/token/renew-self", token: token).status == 200)
        #expect(await lab.request(.delete, "role/ci").status == 204)
        let refused = await lab.harness.request(.update, "auth/token/renew-self", token: token)
        #expect(refused.status == 400)
        #expect(refused.text.contains("role \"ci\" does not exist during renewal"))
    }

    @Test func fiveInvalidSecretIDsLockTheRoleIDForFifteenMinutes() async throws {
        let lab = try await AppRoleLab.make()
        let (roleID, secretID) = try await lab.credentials(role: "ci")
        for _ in 0..<5 { #expect(await lab.login(roleID, "wrong").errors == ["invalid role or secret ID"]) }
        let locked = await lab.login(roleID, secretID)
        #expect(locked.status == 403)
        #expect(locked.errors == ["permission denied"])
        lab.clock.advance(seconds: 15 * 60)
        #expect(await lab.login(roleID, secretID).status == 200)
    }
}
