import CofferCore
import CofferFramework
import CofferTesting
import Testing

@Suite struct AzureConfigTests {
    let tenant = "7cd1f227-ca67-4fc6-a1a4-9888ea7f388c"

    func enabled(at path: String = "azure") async throws -> AzureHarness {
        let harness = try await AzureHarness.make()
        #expect(await harness.request(.update, "sys/auth/\(path)", ["type": "azure"]).status == 204)
        return harness
    }

    @Test func configRoundTripNeverReturnsTheSecret() async throws {
        let harness = try await enabled()
        let write = await harness.request(
            .update, "auth/azure/config",
            [
                "tenant_id": .string(tenant), "resource": "https://management.azure.com/", "client_id": "dd794de4",
                "client_secret": "IT3B2XfZvWnfB98s1cie8EMe7zWg483Xy8zY004=",
            ])
        #expect(write.status == 204)
        let read = await harness.request(.read, "auth/azure/config")
        #expect(read.status == 200)
        #expect(read.data["tenant_id"] == .string(tenant))
        #expect(read.data["resource"] == "https://management.azure.com/")
        #expect(read.data["client_id"] == "dd794de4")
        #expect(read.data["client_secret"] == nil)
        #expect(read.data["root_password_ttl"] == .int(15_768_000))
        #expect(read.data["max_retries"] == .int(3))
        #expect(read.data["retry_delay"] == .int(4))
        #expect(read.data["max_retry_delay"] == .int(60))
        #expect(read.data["identity_token_ttl"] == .int(3600))
        let serialized = String(decoding: JSONValue.object(read.data).serialized(), as: UTF8.self)
        #expect(!serialized.contains("IT3B2XfZvWnfB98s1cie8EMe7zWg483Xy8zY004="))
    }

    @Test func partialWritesMergeInsteadOfResetting() async throws {
        let harness = try await enabled()
        #expect(
            await harness.request(
                .update, "auth/azure/config",
                ["tenant_id": .string(tenant), "resource": "r", "max_retries": 7, "retry_delay": "2s"]
            ).status == 204)
        #expect(await harness.request(.update, "auth/azure/config", ["client_id": "abc"]).status == 204)
        let read = await harness.request(.read, "auth/azure/config")
        #expect(read.data["max_retries"] == .int(7))
        #expect(read.data["retry_delay"] == .int(2))
        #expect(read.data["tenant_id"] == .string(tenant))
        #expect(read.data["client_id"] == "abc")
    }

    @Test func invalidConfigIs400AndChangesNothing() async throws {
        let harness = try await enabled()
        #expect(
            await harness.request(.update, "auth/azure/config", ["resource": "r"]).errors == ["tenant_id is required"])
        #expect(
            await harness.request(.update, "auth/azure/config", ["tenant_id": .string(tenant)]).errors == [
                "resource is required"
            ])
        let cloud = await harness.request(
            .update, "auth/azure/config", ["tenant_id": .string(tenant), "resource": "r", "environment": "Mars"])
        #expect(cloud.status == 400)
        #expect(cloud.errors?.first?.contains("no cloud configuration matching the name \"MARS\"") == true)
        let german = await harness.request(
            .update, "auth/azure/config",
            ["tenant_id": .string(tenant), "resource": "r", "environment": "AzureGermanCloud"])
        #expect(german.status == 400)
        let both = await harness.request(
            .update, "auth/azure/config",
            ["tenant_id": .string(tenant), "resource": "r", "client_secret": "s", "identity_token_audience": "a"])
        #expect(both.errors == ["only one of 'client_secret' or 'identity_token_audience' can be set"])
        let exclusive = await harness.request(
            .update, "auth/azure/config",
            ["tenant_id": .string(tenant), "resource": "r", "rotation_schedule": "0 * * * *", "rotation_period": "1h"])
        #expect(
            exclusive.errors == [
                "mutually exclusive fields rotation_schedule and rotation_period were both specified; only one of them can be provided"
            ])
        #expect(await harness.request(.read, "auth/azure/config").status == 404)
    }

    @Test func environmentVariablesSatisfyAnEmptyConfigWrite() async throws {
        let harness = try await AzureHarness.make(environment: [
            "AZURE_TENANT_ID": tenant, "AZURE_AD_RESOURCE": "https://management.azure.com/",
        ])
        #expect(await harness.request(.update, "sys/auth/azure", ["type": "azure"]).status == 204)
        #expect(await harness.request(.update, "auth/azure/config", [:]).status == 204)
        let read = await harness.request(.read, "auth/azure/config")
        #expect(read.data["tenant_id"] == "")
    }

    @Test func configDeleteRemovesIt() async throws {
        let harness = try await enabled(at: "my-path")
        #expect(
            await harness.request(.update, "auth/my-path/config", ["tenant_id": .string(tenant), "resource": "r"])
                .status == 204)
        #expect(await harness.request(.delete, "auth/my-path/config").status == 204)
        #expect(await harness.request(.read, "auth/my-path/config").status == 404)
    }
}

@Suite struct AzureRoleTests {
    func enabled() async throws -> AzureHarness {
        let harness = try await AzureHarness.make()
        #expect(await harness.request(.update, "sys/auth/azure", ["type": "azure"]).status == 204)
        return harness
    }

    @Test func seedRoleRoundTripsWithLegacyFieldNames() async throws {
        let harness = try await enabled()
        let write = await harness.request(
            .update, "auth/azure/role/Dev-Role",
            [
                "policies": "prod,dev", "bound_subscription_ids": "6a1d5988-5917-4221-b224-904cd7e24a25",
                "bound_resource_groups": "vault", "ttl": "1h",
            ])
        #expect(write.status == 204)
        let read = await harness.request(.read, "auth/azure/role/dev-role")
        #expect(read.status == 200)
        #expect(read.data["token_policies"] == .strings(["dev", "prod"]))
        #expect(read.data["policies"] == .strings(["dev", "prod"]))
        #expect(read.data["token_ttl"] == .int(3600))
        #expect(read.data["ttl"] == .int(3600))
        #expect(read.data["bound_subscription_ids"] == .strings(["6a1d5988-5917-4221-b224-904cd7e24a25"]))
        #expect(read.data["bound_resource_groups"] == .strings(["vault"]))
        #expect(read.data["bound_locations"] == .null)
        #expect(read.data["token_type"] == "default")
        #expect(read.data["name"] == nil)
        let list = await harness.request(.list, "auth/azure/role")
        #expect(list.data["keys"] == .strings(["dev-role"]))
        #expect(await harness.request(.delete, "auth/azure/role/DEV-ROLE").status == 204)
        #expect(await harness.request(.read, "auth/azure/role/dev-role").status == 404)
        #expect(await harness.request(.list, "auth/azure/role").status == 404)
    }

    @Test func rolesMustBindAnIdentityOrScope() async throws {
        let harness = try await enabled()
        let message =
            "role must bind specific service principals or groups, or a subscription, resource group or scale set"
        #expect(await harness.request(.update, "auth/azure/role/r", ["policies": "dev"]).errors == [message])
        #expect(
            await harness.request(.update, "auth/azure/role/r", ["bound_service_principal_ids": "*"]).errors == [
                message
            ])
        #expect(await harness.request(.update, "auth/azure/role/r", ["bound_locations": "eastus"]).errors == [message])
        #expect(await harness.request(.update, "auth/azure/role/r", ["bound_group_ids": ["g1"]]).status == 204)
        // An update that removes the only binding is refused and leaves the role unchanged.
        #expect(await harness.request(.update, "auth/azure/role/r", ["bound_group_ids": ""]).errors == [message])
        #expect(await harness.request(.read, "auth/azure/role/r").data["bound_group_ids"] == .strings(["g1"]))
    }

    @Test func tokenFieldValidation() async throws {
        let harness = try await enabled()
        let base: [String: JSONValue] = ["bound_group_ids": "g"]
        func write(_ extra: [String: JSONValue]) async -> CoreResponse {
            await harness.request(.update, "auth/azure/role/t", base.merging(extra) { _, new in new })
        }
        #expect(await write(["token_ttl": "-1s"]).errors == ["'token_ttl' cannot be negative"])
        #expect(
            await write(["token_ttl": "2h", "token_max_ttl": "1h"]).errors == [
                "'token_ttl' cannot be greater than 'token_max_ttl'"
            ])
        #expect(await write(["token_type": "weird"]).errors == ["invalid 'token_type' value \"weird\""])
        #expect(
            await write(["token_type": "batch", "token_period": "1h"]).errors == [
                "'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens"
            ])
        #expect(await write(["token_bound_cidrs": "not-a-cidr"]).status == 400)
        #expect(
            await write(["token_period": "800h"]).errors == [
                "token period of \"800h0m0s\" is greater than the backend's maximum lease TTL of \"768h0m0s\""
            ])
        let warned = await write(["token_max_ttl": "1000h"])
        #expect(warned.status == 200)
        #expect(
            warned.warnings == [
                "max_ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated"
            ])
        #expect(await harness.request(.update, "auth/azure/role/bad name!", base).status == 400)
    }
}

@Suite struct AzureLoginRequestChecksTests {
    @Test func requestLevelChecksComeFirstAndNeverContactAzure() async throws {
        let harness = try await AzureHarness.make()
        #expect(await harness.request(.update, "sys/auth/azure", ["type": "azure"]).status == 204)
        #expect(
            await harness.request(
                .update, "auth/azure/role/dev-role", ["bound_group_ids": "g", "token_bound_cidrs": "10.0.0.0/8"]
            ).status == 204)
        #expect(await harness.request(.update, "auth/azure/role/open", ["bound_group_ids": "g"]).status == 204)
        func login(_ data: [String: JSONValue], from address: String = "127.0.0.1") async -> CoreResponse {
            await harness.core.handle(
                CoreRequest(
                    operation: .update, path: "auth/azure/login", data: data, token: "stale", remoteAddress: address))
        }
        #expect(await login(["role": "dev-role"]).errors == ["jwt is required"])
        #expect(await login(["jwt": "x"]).errors == ["role is required"])
        #expect(await login(["jwt": "x", "role": "nope"]).errors == ["invalid role name \"nope\""])
        let cidr = await login(["jwt": "x", "role": "dev-role"])
        #expect(cidr.status == 403)
        #expect(
            await login(["jwt": "x", "role": "open", "subscription_id": "12345"]).errors == [
                "invalid subscription id \"12345\""
            ])
        #expect(
            await login(["jwt": "x", "role": "open", "resource_group_name": "rg."]).errors == [
                "invalid resource group name \"rg.\""
            ])
        #expect(await login(["jwt": "x", "role": "open", "vm_name": "15abc"]).errors == ["invalid vm name \"15abc\""])
        #expect(await login(["jwt": "x", "role": "open", "vmss_name": "a-"]).errors == ["invalid vmss_name \"a-\""])
        // Nothing above created an entity.
        #expect(await harness.request(.list, "identity/entity/id").status == 404)
    }
}
