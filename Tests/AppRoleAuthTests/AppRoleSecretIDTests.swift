import CofferFramework
import CofferTesting
import Testing

/// Secret ids: generation rules, lookup and destroy by id and by accessor, Vault's answers for unknown ones.
@Suite struct AppRoleSecretIDTests {
    @Test func generateLookupListAndDestroyByAccessor() async throws {
        let lab = try await AppRoleLab.make()
        #expect(await lab.request(.update, "role/ci", ["secret_id_num_uses": 5, "secret_id_ttl": "10m"]).status == 204)
        let generated = await lab.request(
            .update, "role/ci/secret-id", ["metadata": "{\"team\":\"build\"}", "num_uses": 3])
        #expect(generated.status == 200)
        let secretID = try #require(generated.data["secret_id"]?.stringValue)
        let accessor = try #require(generated.data["secret_id_accessor"]?.stringValue)
        #expect(generated.data["secret_id_ttl"] == 600)
        #expect(generated.data["secret_id_num_uses"] == 3)
        let lookup = await lab.request(.update, "role/ci/secret-id/lookup", ["secret_id": .string(secretID)])
        #expect(lookup.data["secret_id_accessor"] == .string(accessor))
        #expect(lookup.data["secret_id_num_uses"] == 3)
        #expect(lookup.data["metadata"] == ["team": "build"])
        #expect(lookup.data["token_bound_cidrs"] == .strings([]))
        #expect(lookup.data["expiration_time"]?.stringValue?.hasPrefix("2024-11-29T00:10:00") == true)
        #expect(await lab.request(.list, "role/ci/secret-id").data["keys"] == .strings([accessor]))
        let byAccessor = await lab.request(
            .update, "role/ci/secret-id-accessor/lookup", ["secret_id_accessor": .string(accessor)])
        #expect(byAccessor.data["secret_id_num_uses"] == 3)
        #expect(
            await lab.request(.update, "role/ci/secret-id-accessor/destroy", ["secret_id_accessor": .string(accessor)])
                .status == 204)
        #expect(await lab.request(.update, "role/ci/secret-id/lookup", ["secret_id": .string(secretID)]).status == 204)
        let unknown = await lab.request(
            .update, "role/ci/secret-id-accessor/lookup", ["secret_id_accessor": .string(accessor)])
        #expect(unknown.status == 404)
        #expect(unknown.errors == ["failed to find accessor entry for secret_id_accessor: \"\(accessor)\""])
        let destroyUnknown = await lab.request(
            .update, "role/ci/secret-id-accessor/destroy", ["secret_id_accessor": .string(accessor)])
        #expect(destroyUnknown.status == 500)
        #expect(await lab.request(.list, "role/ci/secret-id").status == 404)
    }

    @Test func destroyBySecretIDAndCustomSecretIDs() async throws {
        let lab = try await AppRoleLab.make()
        #expect(await lab.request(.update, "role/ci", [:]).status == 204)
        let custom = await lab.request(.update, "role/ci/custom-secret-id", ["secret_id": "my-own-secret"])
        #expect(custom.data["secret_id"] == "my-own-secret")
        let again = await lab.request(.update, "role/ci/custom-secret-id", ["secret_id": "my-own-secret"])
        #expect(again.status == 500)
        #expect(again.text.contains("failed to store secret_id: SecretID is already registered"))
        #expect(await lab.request(.update, "role/ci/secret-id/destroy", ["secret_id": "my-own-secret"]).status == 204)
        #expect(await lab.request(.delete, "role/ci/secret-id/destroy", ["secret_id": "never-was"]).status == 204)
        #expect(await lab.request(.update, "role/ci/secret-id/lookup", ["secret_id": "my-own-secret"]).status == 204)
    }

    @Test func generationRulesAgainstTheRole() async throws {
        let lab = try await AppRoleLab.make()
        let missing = await lab.request(.update, "role/nope/secret-id")
        #expect(missing.status == 404)
        #expect(missing.errors == ["role \"nope\" does not exist"])
        #expect(
            await lab.request(
                .update, "role/ci",
                ["secret_id_num_uses": 2, "secret_id_ttl": 60, "secret_id_bound_cidrs": "10.0.0.0/8"]
            ).status == 204)
        #expect(
            await lab.request(.update, "role/ci/secret-id", ["num_uses": 3]).errors == [
                "num_uses cannot be higher than the role's secret_id_num_uses"
            ])
        #expect(await lab.request(.update, "role/ci/secret-id", ["num_uses": 0]).status == 400)
        #expect(
            await lab.request(.update, "role/ci/secret-id", ["ttl": 120]).errors == [
                "ttl cannot be longer than the role's secret_id_ttl"
            ])
        let outside = await lab.request(.update, "role/ci/secret-id", ["cidr_list": "192.168.0.0/16"])
        #expect(outside.status == 400)
        #expect(outside.errors?.first?.hasPrefix("failed to verify subset relationship") == true)
        #expect(await lab.request(.update, "role/ci/secret-id", ["cidr_list": "10.1.0.0/16"]).status == 200)
        #expect(await lab.request(.update, "role/open", ["secret_id_bound_cidrs": "10.0.0.0/8"]).status == 204)
        #expect(await lab.request(.update, "role/open", ["bind_secret_id": false]).status == 204)
        #expect(await lab.request(.update, "role/open/secret-id").errors == ["bind_secret_id is not set on the role"])
    }
}
