import AzureSimulator
import CofferCore
import CofferFramework
import Testing

/// The seed's flows end to end: enable, configure, role, login from a simulated VM, use the token.
@Suite struct AzureSeedFlowTests {
    static let devRole: [String: JSONValue] = [
        "policies": "prod,dev", "bound_subscription_ids": .string(Sim.subscription), "bound_resource_groups": "rg-apps",
    ]

    /// A KV v2 mount `secret` with `secret/creds` and a `dev` policy that may read it.
    static func prepareSecret(_ lab: AzureLab) async throws {
        try await lab.expect(.update, "sys/mounts/secret", ["type": "kv", "options": ["version": "2"]], status: 204)
        try await lab.expect(
            .update, "sys/policies/acl/dev", ["policy": #"path "secret/data/creds" { capabilities = ["read"] }"#],
            status: 204)
        try await lab.expect(.update, "secret/data/creds", ["data": ["password": "hunter2"]], status: 200)
    }

    @Test(arguments: ["azure", "my-path"])
    func seedLoginReturnsAUsableTokenWithMetadata(mount: String) async throws {
        try await withAzureLab(mounts: ["azure", "my-path"]) { lab in
            try await Self.prepareSecret(lab)
            try await lab.role("dev-role", Self.devRole, mount: mount)
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            let login = await lab.login(role: "dev-role", jwt: jwt, mount: mount, vm: "vm-web")
            try #require(login.status == 200, "\(login.errors ?? [])")
            let token = try #require(login.clientToken)
            #expect((login.auth["accessor"]?.stringValue ?? "").isEmpty == false)
            let policies = Set(login.auth["policies"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            #expect(policies.isSuperset(of: ["default", "dev", "prod"]))
            #expect(login.auth["lease_duration"] == .int(2_764_800))
            #expect(login.auth["renewable"] == .bool(true))

            let secret = await lab.request(.read, "secret/data/creds", token: token)
            #expect(secret.status == 200)
            #expect(secret.data["data"]?.objectValue?["password"] == "hunter2")
            #expect(await lab.request(.update, "secret/data/creds", ["data": ["x": "y"]], token: token).status == 403)

            let lookup = await lab.request(.read, "auth/token/lookup-self", token: token)
            #expect(lookup.status == 200)
            #expect(
                lookup.data["meta"]
                    == .stringMap([
                        "role": "dev-role", "resource_group_name": "rg-apps", "subscription_id": Sim.subscription,
                        "vm_name": "vm-web", "app_id": "9e8d7c6b-5a4f-4e3d-a2c1-b0a9f8e7d6c5",
                    ]))
            #expect(lookup.data["display_name"] == .string("\(mount)-\(Sim.vmPrincipal)"))
            let entity = try #require(lookup.data["entity_id"]?.stringValue)
            #expect(!entity.isEmpty)

            // Same oid on the same mount: same entity; another oid: another entity.
            let again = await lab.login(role: "dev-role", jwt: jwt, mount: mount, vm: "vm-web")
            #expect(again.auth["entity_id"]?.stringValue == entity)
            #expect(again.clientToken != token)
            let userAssigned = try lab.simulator.managedIdentityToken(vm: "vm-web", identity: "uami-web")
            let other = await lab.login(role: "dev-role", jwt: userAssigned, mount: mount, vm: "vm-web")
            try #require(other.status == 200, "\(other.errors ?? [])")
            #expect(other.auth["entity_id"]?.stringValue != entity)
            #expect((other.auth["entity_id"]?.stringValue ?? "").isEmpty == false)
        }
    }

    @Test func roleNamesAreCaseInsensitiveAndUnknownLoginFieldsWarn() async throws {
        try await withAzureLab { lab in
            try await lab.role("Dev-Role", Self.devRole)
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            let login = await lab.login(role: "DEV-ROLE", jwt: jwt, vm: "vm-web", extra: ["colour": "blue"])
            try #require(login.status == 200, "\(login.errors ?? [])")
            #expect(login.warnings == ["Endpoint ignored these unrecognized parameters: [colour]"])
            let token = try #require(login.clientToken)
            let lookup = await lab.request(.read, "auth/token/lookup-self", token: token)
            #expect(lookup.data["meta"]?.objectValue?["role"] == "DEV-ROLE")
        }
    }

    @Test func renewalUsesTheRolesCurrentTTLsAndFailsOnceTheRoleIsGone() async throws {
        try await withAzureLab { lab in
            try await lab.role("dev-role", Self.devRole.merging(["token_ttl": "1h"]) { $1 })
            let login = await lab.login(
                role: "dev-role", jwt: try lab.simulator.managedIdentityToken(vm: "vm-web"), vm: "vm-web")
            try #require(login.status == 200, "\(login.errors ?? [])")
            #expect(login.auth["lease_duration"] == .int(3600))
            let token = try #require(login.clientToken)

            try await lab.role("dev-role", ["token_ttl": "2h"])
            let renewed = await lab.request(.update, "auth/token/renew-self", token: token)
            #expect(renewed.status == 200)
            #expect(renewed.auth["lease_duration"] == .int(7200))

            try await lab.expect(.delete, "auth/azure/role/dev-role", status: 204)
            let gone = await lab.request(.update, "auth/token/renew-self", token: token)
            #expect(gone.status == 400)
            #expect(gone.errors == ["role dev-role does not exist during renewal"])
        }
    }

    @Test func mountTuningCapsTheLease() async throws {
        try await withAzureLab { lab in
            try await lab.role("dev-role", Self.devRole)
            try await lab.expect(.update, "sys/auth/azure/tune", ["max_lease_ttl": "1h"], status: 204)
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            let capped = await lab.login(role: "dev-role", jwt: jwt, vm: "vm-web")
            try #require(capped.status == 200, "\(capped.errors ?? [])")
            #expect(capped.auth["lease_duration"] == .int(3600))
            try await lab.expect(.update, "sys/auth/azure/tune", ["default_lease_ttl": "30m"], status: 204)
            let short = await lab.login(role: "dev-role", jwt: jwt, vm: "vm-web")
            #expect(short.auth["lease_duration"] == .int(1800))
        }
    }
}
