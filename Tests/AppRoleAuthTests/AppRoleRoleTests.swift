import CofferFramework
import CofferTesting
import Testing

/// Role paths: Vault's defaults, shapes and error texts.
@Suite struct AppRoleRoleTests {
    @Test func roleReadShowsVaultDefaultsAndListsLowerCaseNames() async throws {
        let lab = try await AppRoleLab.make()
        #expect(await lab.request(.update, "role/Web", ["token_policies": "dev"]).status == 204)
        let read = await lab.request(.read, "role/web")
        #expect(read.status == 200)
        #expect(read.data["bind_secret_id"] == true)
        #expect(read.data["secret_id_bound_cidrs"] == .null)
        #expect(read.data["secret_id_num_uses"] == 0)
        #expect(read.data["secret_id_ttl"] == 0)
        #expect(read.data["local_secret_ids"] == false)
        #expect(read.data["token_type"] == "default")
        #expect(read.data["token_policies"] == .strings(["dev"]))
        #expect(read.data["token_bound_cidrs"] == .strings([]))
        #expect(read.data["policies"] == nil)
        #expect(await lab.request(.list, "role").data["keys"] == .strings(["web"]))
        #expect(await lab.request(.read, "role/missing").status == 404)
    }

    @Test func roleIDReadsUpdatesAndMustBeUnique() async throws {
        let lab = try await AppRoleLab.make()
        #expect(await lab.request(.update, "role/a", [:]).status == 204)
        #expect(await lab.request(.update, "role/b", [:]).status == 204)
        let roleID = try #require(await lab.request(.read, "role/a/role-id").data["role_id"]?.stringValue)
        #expect(roleID.count == 36)
        #expect(await lab.request(.update, "role/a/role-id", ["role_id": "custom-a"]).status == 204)
        #expect(await lab.request(.read, "role/a/role-id").data["role_id"] == "custom-a")
        let taken = await lab.request(.update, "role/b/role-id", ["role_id": "custom-a"])
        #expect(taken.status == 400)
        #expect(taken.errors == ["role_id already in use"])
        #expect(await lab.request(.update, "role/a/role-id", [:]).errors == ["missing role_id"])
        #expect(await lab.request(.read, "role/nope/role-id").status == 404)
    }

    @Test func vaultsRoleErrors() async throws {
        let lab = try await AppRoleLab.make()
        let unconstrained = await lab.request(.update, "role/r", ["bind_secret_id": false])
        #expect(unconstrained.status == 500)
        #expect(unconstrained.text.contains("at least one constraint should be enabled on the role"))
        let negative = await lab.request(.update, "role/r", ["secret_id_num_uses": -1])
        #expect(negative.errors == ["secret_id_num_uses cannot be negative"])
        let badCIDR = await lab.request(.update, "role/r", ["secret_id_bound_cidrs": "10.0.0.0/33"])
        #expect(badCIDR.errors == ["invalid CIDR blocks"])
        let ttl = await lab.request(.update, "role/r", ["token_ttl": "2h", "token_max_ttl": "1h"])
        #expect(ttl.errors == ["'token_ttl' cannot be greater than 'token_max_ttl'"])
        #expect(
            await lab.request(.update, "role/r", ["token_type": "bogus"]).errors == [
                "invalid 'token_type' value \"bogus\""
            ])
        let adjusted = await lab.request(.update, "role/r", ["token_type": "default-service"])
        #expect(adjusted.status == 200)
        #expect(adjusted.warnings == ["default-service has no useful meaning; adjusting to service"])
        let local = await lab.request(.update, "role/r", ["local_secret_ids": true])
        #expect(local.errors == ["local_secret_ids can only be modified during role creation"])
        #expect(await lab.request(.update, "role/s", ["local_secret_ids": true]).status == 204)
        #expect(await lab.request(.read, "role/s").data["local_secret_ids"] == true)
    }

    @Test func deletingARoleDestroysItsSecretIDs() async throws {
        let lab = try await AppRoleLab.make()
        let (roleID, secretID) = try await lab.credentials(role: "gone")
        #expect(await lab.request(.delete, "role/gone").status == 204)
        #expect(await lab.request(.read, "role/gone").status == 404)
        #expect(await lab.request(.update, "role/gone", [:]).status == 204)
        let newRoleID = try #require(await lab.request(.read, "role/gone/role-id").data["role_id"]?.stringValue)
        #expect(newRoleID != roleID)
        #expect(await lab.request(.list, "role/gone/secret-id").status == 404)
        #expect(await lab.login(newRoleID, secretID).errors == ["invalid role or secret ID"])
    }
}
