import AzureKit
import AzureSimulator
import CofferCore
import CofferFramework
import Testing

@testable import AzureAuth

/// Every role binding (docs/azure-auth.md § Binding fields, § Principal checks, § Resource checks), each made
/// to fail and to pass against the simulator.
@Suite struct AzureBindingTests {
    static let subscriptionBound: [String: JSONValue] = ["bound_subscription_ids": .string(Sim.subscription)]

    @Test func servicePrincipalBindingNeedsNoARMCall() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", ["bound_service_principal_ids": .string(Sim.vmPrincipal.uppercased())])
            let system = try lab.simulator.managedIdentityToken(vm: "vm-web")
            let pass = await lab.login(role: "sp", jwt: system, subscription: nil, group: nil)
            #expect(pass.status == 200, "\(pass.errors ?? [])")
            let userAssigned = try lab.simulator.managedIdentityToken(vm: "vm-web", identity: "uami-web")
            let fail = await lab.login(role: "sp", jwt: userAssigned, subscription: nil, group: nil)
            #expect(fail.status == 400)
            #expect(fail.errors == ["service principal not authorized: \(Sim.uamiWebPrincipal)"])
            #expect(lab.count("/subscriptions/") == 0)
            #expect(lab.count("/oauth2/") == 0)
        }
    }

    /// Logins read the role as it is now: a rewrite, a case-changed rewrite and a delete take effect at once
    /// (the backend caches decoded roles between its own writes).
    @Test func roleChangesApplyToTheNextLogin() async throws {
        try await withAzureLab { lab in
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            try await lab.role("live", ["bound_service_principal_ids": .string(Sim.vmPrincipal)])
            #expect(await lab.login(role: "live", jwt: jwt, subscription: nil, group: nil).status == 200)
            try await lab.role("LIVE", ["bound_service_principal_ids": .string(Sim.uamiWebPrincipal)])
            let refused = await lab.login(role: "live", jwt: jwt, subscription: nil, group: nil)
            #expect(refused.errors == ["service principal not authorized: \(Sim.vmPrincipal)"])
            try await lab.role("live", ["bound_service_principal_ids": .string(Sim.vmPrincipal)])
            #expect(await lab.login(role: "Live", jwt: jwt, subscription: nil, group: nil).status == 200)
            try await lab.expect(.delete, "auth/azure/role/live", status: 204)
            let gone = await lab.login(role: "live", jwt: jwt, subscription: nil, group: nil)
            #expect(gone.errors == ["invalid role name \"live\""])
        }
    }

    @Test func groupBinding() async throws {
        try await withAzureLab { lab in
            try await lab.role("grp", ["bound_group_ids": .string(Sim.group)])
            let member = await lab.login(
                role: "grp", jwt: try lab.simulator.managedIdentityToken(vm: "vm-web"), subscription: nil, group: nil)
            #expect(member.status == 200, "\(member.errors ?? [])")
            let outsider = await lab.login(
                role: "grp", jwt: try lab.simulator.managedIdentityToken(scaleSet: "vmss-uniform"), subscription: nil,
                group: nil)
            #expect(outsider.errors == ["groups not authorized: []"])
            let other = try lab.token(oid: Sim.uniformPrincipal) { $0["groups"] = ["g-1", "g-2"] }
            #expect(await lab.login(role: "grp", jwt: other).errors == ["groups not authorized: [g-1 g-2]"])
        }
    }

    @Test func servicePrincipalAndGroupBindingsBothApply() async throws {
        try await withAzureLab { lab in
            try await lab.role(
                "both",
                ["bound_service_principal_ids": .string(Sim.uamiWebPrincipal), "bound_group_ids": .string(Sim.group)])
            let both = try lab.simulator.managedIdentityToken(vm: "vm-web", identity: "uami-web")
            #expect(await lab.login(role: "both", jwt: both).status == 200)
            let groupOnly = try lab.simulator.managedIdentityToken(vm: "vm-web")
            #expect(
                await lab.login(role: "both", jwt: groupOnly).errors == [
                    "service principal not authorized: \(Sim.vmPrincipal)"
                ])
        }
    }

    @Test func subscriptionBinding() async throws {
        try await withAzureLab { lab in
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            try await lab.role("other", ["bound_subscription_ids": .string(Sim.otherSubscription)])
            #expect(await lab.login(role: "other", jwt: jwt, vm: "vm-web").errors == ["subscription not authorized"])
            try await lab.role("mine", ["bound_subscription_ids": .string(Sim.subscription.uppercased())])
            #expect(await lab.login(role: "mine", jwt: jwt, vm: "vm-web").status == 200)
            // ARM-gated roles need both login fields.
            #expect(
                await lab.login(role: "mine", jwt: jwt, group: nil, vm: "vm-web").errors
                    == ["subscription_id and resource_group_name are required"])
        }
    }

    @Test func resourceGroupBinding() async throws {
        try await withAzureLab { lab in
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            try await lab.role("elsewhere", ["bound_resource_groups": "rg-other,rg-more"])
            #expect(
                await lab.login(role: "elsewhere", jwt: jwt, vm: "vm-web").errors == ["resource group not authorized"])
            try await lab.role("here", ["bound_resource_groups": ["RG-APPS"]])
            #expect(await lab.login(role: "here", jwt: jwt, vm: "vm-web").status == 200)
        }
    }

    @Test func locationBinding() async throws {
        try await withAzureLab { lab in
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            for (locations, expected) in [
                ("eastus", "location not authorized"), ("West Europe", "location not authorized"),
                ("WESTEUROPE", nil), ("eastus,westeurope", nil),
            ] {
                try await lab.role(
                    "loc", Self.subscriptionBound.merging(["bound_locations": .string(locations)]) { $1 })
                let answer = await lab.login(role: "loc", jwt: jwt, vm: "vm-web")
                if let expected {
                    #expect(answer.errors == [expected], "\(locations)")
                } else {
                    #expect(answer.status == 200, "\(locations): \(answer.errors ?? [])")
                }
            }
            // Scale sets have a location too.
            let uniform = try lab.simulator.managedIdentityToken(scaleSet: "vmss-uniform")
            #expect(await lab.login(role: "loc", jwt: uniform, vmss: "vmss-uniform").status == 200)
        }
    }

    @Test func scaleSetBinding() async throws {
        try await withAzureLab { lab in
            try await lab.role("ss", ["bound_scale_sets": "vmss-uniform"])
            let uniform = try lab.simulator.managedIdentityToken(scaleSet: "vmss-uniform")
            #expect(await lab.login(role: "ss", jwt: uniform, vmss: "vmss-uniform").status == 200)
            let flexible = try lab.simulator.managedIdentityToken(scaleSet: "vmss-flex")
            #expect(
                await lab.login(role: "ss", jwt: flexible, vmss: "vmss-flex").errors == ["scale set not authorized"])
            let vm = try lab.simulator.managedIdentityToken(vm: "vm-web")
            #expect(
                await lab.login(role: "ss", jwt: vm, vm: "vm-web").errors
                    == ["bound scale set defined but this vm isn't in a scale set"])
            let site = try lab.simulator.managedIdentityToken(resourceID: Sim.siteID)
            #expect(
                await lab.login(role: "ss", jwt: site, resourceID: Sim.siteID).errors
                    == ["scale set requires the vmss_name field to be set"])
        }
    }

    @Test func boundCIDRsApplyToTheLoginAndTheToken() async throws {
        try await withAzureLab { lab in
            try await lab.role(
                "cidr", ["bound_service_principal_ids": .string(Sim.vmPrincipal), "token_bound_cidrs": "127.0.0.0/8"])
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            let outside = await lab.login(role: "cidr", jwt: jwt, from: "10.1.2.3")
            #expect(outside.status == 403)
            #expect(lab.simulator.requestLog().isEmpty)
            let inside = await lab.login(role: "cidr", jwt: jwt, from: "127.0.0.9")
            #expect(inside.status == 200, "\(inside.errors ?? [])")
            let token = try #require(inside.clientToken)
            let lookup = await lab.request(.read, "auth/token/lookup-self", token: token)
            #expect(lookup.data["bound_cidrs"] == .strings(["127.0.0.0/8"]))
        }
    }

    @Test func aScaleSetNameWinsOverAVMName() async throws {
        try await withAzureLab { lab in
            try await lab.role("ss", Self.subscriptionBound)
            let uniform = try lab.simulator.managedIdentityToken(scaleSet: "vmss-uniform")
            let answer = await lab.login(role: "ss", jwt: uniform, vm: "vm-web", vmss: "vmss-uniform")
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            #expect(lab.count("/virtualMachines/") == 0)
            let metadata = answer.auth["metadata"]?.objectValue
            #expect(metadata?["vmss_name"] == "vmss-uniform")
            // vm_name was never checked, so it is not recorded (issue 10, item 11).
            #expect(metadata?["vm_name"] == nil)
        }
    }

    @Test func aStoredRoleWithoutAValidBindingCannotLogIn() async throws {
        try await withAzureLab { lab in
            // As an older version might have stored it: only a wildcard principal, so never writable today.
            let role = AzureRole(boundServicePrincipalIDs: ["*"])
            let settings = try AzureSettings.resolve(
                tenantID: Sim.tenant, resource: Sim.audience, environmentName: "AzureStackCloud",
                environment: ["AZURE_ENVIRONMENT_FILEPATH": lab.environmentFile.path])
            let services = try lab.factory.makeServices(settings)
            let login = AzureLogin(
                verifier: services.verifier, resourceManager: services.resourceManager,
                apiVersions: services.apiVersions)
            let fields = AzureLoginFields(
                role: "legacy", jwt: try lab.simulator.managedIdentityToken(vm: "vm-web"), subscriptionID: "",
                resourceGroupName: "", vmName: "", vmssName: "", resourceID: "")
            await #expect(throws: LogicalError.badRequest(AzureRole.bindingMessage)) {
                try await login.authenticate(fields, role: role)
            }
            #expect(lab.simulator.requestLog().isEmpty)
        }
    }
}
