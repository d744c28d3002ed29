import AzureSimulator
import CofferCore
import CofferFramework
import Testing

/// The ARM branches (VM, VMSS uniform and flexible, resource_id, app-id fallback) over loopback
/// (docs/azure-auth.md § Resource checks).
@Suite struct AzureBranchTests {
    static let vmRole: [String: JSONValue] = [
        "bound_subscription_ids": .string(Sim.subscription), "bound_resource_groups": "rg-apps",
    ]

    @Test func virtualMachineWithSystemAndUserAssignedIdentities() async throws {
        try await withAzureLab { lab in
            try await lab.role("vm", Self.vmRole)
            let system = try lab.simulator.managedIdentityToken(vm: "vm-web")
            #expect(await lab.login(role: "vm", jwt: system, vm: "vm-web").status == 200)
            let user = try lab.simulator.managedIdentityToken(vm: "vm-web", identity: "uami-web")
            let answer = await lab.login(role: "vm", jwt: user, vm: "vm-web")
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            #expect(answer.auth["metadata"]?.objectValue?["app_id"] == .string(Sim.uamiWebClient))
            let gets = lab.simulator.requestLog().filter { $0.path.hasSuffix("/virtualMachines/vm-web") }
            #expect(gets.count == 2)
            #expect(
                gets.allSatisfy { $0.query["$expand"] == "instanceView" && $0.query["api-version"] == "2022-11-01" })
            // An identity of another machine does not belong to vm-web.
            let foreign = try lab.simulator.managedIdentityToken(scaleSet: "vmss-uniform", identity: "uami-shared")
            let refused = await lab.login(role: "vm", jwt: foreign, vm: "vm-web")
            #expect(refused.status == 400)
            #expect(
                refused.errors
                    == [
                        "xms_az_rid token claim does not match vm_name vm-web\nxms_mirid token claim does not match vm_name vm-web"
                    ])
        }
    }

    @Test func missingVirtualMachineIsAClientError() async throws {
        try await withAzureLab { lab in
            try await lab.updateFixture {
                $0.virtualMachines.append(
                    .init(
                        subscriptionId: Sim.subscription, resourceGroup: "rg-apps", name: "vm-gone",
                        systemAssignedIdentity: .init(
                            principalId: "11111111-0000-4000-8000-000000000001",
                            clientId: "11111111-0000-4000-8000-000000000002")))
            }
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-gone")
            try await lab.updateFixture { $0.virtualMachines.removeAll { $0.name == "vm-gone" } }
            try await lab.role("vm", Self.vmRole)
            let answer = await lab.login(role: "vm", jwt: jwt, vm: "vm-gone")
            #expect(answer.status == 400)
            #expect(answer.error.hasPrefix("unable to retrieve virtual machine metadata: "))
            #expect(lab.count("/virtualMachines/vm-gone") == 1)  // a 404 is not retried
        }
    }

    @Test func uniformScaleSet() async throws {
        try await withAzureLab { lab in
            try await lab.role("ss", Self.vmRole)
            let system = try lab.simulator.managedIdentityToken(scaleSet: "vmss-uniform", instance: "1")
            #expect(await lab.login(role: "ss", jwt: system, vmss: "vmss-uniform").status == 200)
            let shared = try lab.simulator.managedIdentityToken(scaleSet: "vmss-uniform", identity: "uami-shared")
            let answer = await lab.login(role: "ss", jwt: shared, vmss: "vmss-uniform")
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            // Uniform scale sets carry the principal ids: no identity lookups.
            #expect(lab.count("/userAssignedIdentities/") == 0)
        }
    }

    @Test func flexibleScaleSetLooksUpIdentitiesInTheirOwnSubscription() async throws {
        try await withAzureLab { lab in
            try await lab.role("ss", Self.vmRole)
            let jwt = try lab.simulator.managedIdentityToken(scaleSet: "vmss-flex", instance: "e5f6a7b8")
            let answer = await lab.login(role: "ss", jwt: jwt, vmss: "vmss-flex")
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            #expect(answer.auth["metadata"]?.objectValue?["vmss_name"] == "vmss-flex")
            let lookups = lab.simulator.requestLog().filter { $0.path.contains("/userAssignedIdentities/") }
            #expect(
                lookups.map(\.path) == [
                    "/subscriptions/\(Sim.otherSubscription)/resourceGroups/rg-shared/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-shared"
                ])
        }
    }

    @Test func appServiceThroughResourceID() async throws {
        try await withAzureLab { lab in
            try await lab.role("site", Self.vmRole.merging(["bound_locations": "westeurope"]) { $1 })
            let system = try lab.simulator.managedIdentityToken(resourceID: Sim.siteID)
            let answer = await lab.login(role: "site", jwt: system, resourceID: Sim.siteID)
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            #expect(answer.auth["metadata"]?.objectValue?["resource_id"] == .string(Sim.siteID))
            let user = try lab.simulator.managedIdentityToken(resourceID: Sim.siteID, identity: "uami-web")
            #expect(await lab.login(role: "site", jwt: user, resourceID: Sim.siteID).status == 200)
            // The provider's api-version was looked up once and used for both GETs.
            #expect(lab.count("/providers/Microsoft.Web") == 3)  // 1 provider lookup + 2 site GETs
            let siteGets = lab.simulator.requestLog().filter { $0.path == Sim.siteID }
            #expect(siteGets.map { $0.query["api-version"] } == ["2023-12-01", "2023-12-01"])

            try await lab.role("far", Self.vmRole.merging(["bound_locations": "eastus"]) { $1 })
            #expect(
                await lab.login(role: "far", jwt: system, resourceID: Sim.siteID).errors == ["location not authorized"])
        }
    }

    @Test func resourceIDMustBeConsistentWithTheLoginAndTheToken() async throws {
        try await withAzureLab { lab in
            try await lab.role("site", Self.vmRole)
            let site = try lab.simulator.managedIdentityToken(resourceID: Sim.siteID)
            let otherGroup = Sim.siteID.replacingOccurrences(of: "rg-apps", with: "rg-else")
            let mismatch = await lab.login(role: "site", jwt: site, resourceID: otherGroup)
            #expect(mismatch.errors == ["provided resource_id does not match subscription_id and resource_group_name"])
            let garbage = await lab.login(role: "site", jwt: site, resourceID: "not/an/id")
            #expect(garbage.errors == ["unable to parse the resource ID: \"not/an/id\""])
            // A VM's token does not prove the App Service.
            let vm = try lab.simulator.managedIdentityToken(vm: "vm-web")
            let borrowed = await lab.login(role: "site", jwt: vm, resourceID: Sim.siteID)
            #expect(borrowed.status == 400)
            #expect(borrowed.error.contains("do not name the resource in resource_id"))
            let absent = Sim.siteID.replacingOccurrences(of: "app-orders", with: "app-missing")
            let missing = await lab.login(role: "site", jwt: site, resourceID: absent)
            #expect(missing.status == 400)
            #expect(missing.error.hasPrefix("unable to retrieve resource metadata: "))
        }
    }

    @Test func appIDFallbackSearchesEveryPage() async throws {
        var fixture = try Sim.fixture
        fixture.listPageSize = 1
        for name in ["uami-a", "uami-b", "uami-c"] {
            let index = name.last!.asciiValue!
            fixture.userAssignedIdentities.append(
                .init(
                    subscriptionId: Sim.subscription, resourceGroup: "rg-apps", name: name,
                    principalId: "00000000-0000-4000-8000-0000000000\(index)",
                    clientId: "00000000-0000-4000-9000-0000000000\(index)"))
        }
        try await withAzureLab(fixture: fixture) { lab in
            try await lab.role("wif", Self.vmRole)
            // AKS workload identity: a v2 token of uami-web (the last of four identities, so on page 4).
            let jwt = try lab.simulator.workloadIdentityToken(clientID: Sim.uamiWebClient, audience: Sim.audience)
            let answer = await lab.login(role: "wif", jwt: jwt)
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            #expect(answer.auth["metadata"]?.objectValue?["app_id"] == .string(Sim.uamiWebClient))
            let pages = lab.simulator.requestLog().filter {
                $0.path.hasSuffix("/rg-apps/providers/Microsoft.ManagedIdentity/userAssignedIdentities")
            }
            #expect(pages.count == 4)

            // An identity outside the searched groups is refused, and so is a token without appid.
            let shared = try lab.simulator.workloadIdentityToken(clientID: Sim.uamiSharedClient, audience: Sim.audience)
            #expect(
                await lab.login(role: "wif", jwt: shared).errors
                    == ["neither token object id nor token app id match expected identities"])
            let anonymous = try lab.token(oid: Sim.uamiWebPrincipal)
            #expect(
                await lab.login(role: "wif", jwt: anonymous).errors
                    == ["one of vm_name, vmss_name, resource_id, or an appid JWT claim must be provided"])
        }
    }

    @Test func appIDMatchesHonourTheResourceGroupBinding() async throws {
        let fixture = try Sim.fixtureWithVaultIdentity
        let vaultClient = Sim.vaultIdentityClient
        try await withAzureLab(fixture: fixture) { lab in
            try await lab.role(
                "vault", ["bound_subscription_ids": .string(Sim.subscription), "bound_resource_groups": "rg-vault"])
            // An identity outside the bound group cannot log in by naming its own group.
            let outside = try lab.simulator.workloadIdentityToken(clientID: Sim.uamiWebClient, audience: Sim.audience)
            #expect(await lab.login(role: "vault", jwt: outside).errors == ["resource group not authorized"])
            // An identity in the bound group may, whichever group the login names.
            let inside = try lab.simulator.workloadIdentityToken(clientID: vaultClient, audience: Sim.audience)
            let answer = await lab.login(role: "vault", jwt: inside)
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            #expect(await lab.login(role: "vault", jwt: inside, group: "rg-vault").status == 200)
        }
    }
}

extension AzureLab {
    func updateFixture(_ change: (inout SimulatorFixture) throws -> Void) async throws {
        try simulator.updateFixture(change)
    }
}
