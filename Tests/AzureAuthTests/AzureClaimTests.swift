import AzureSimulator
import CofferCore
import CofferFramework
import Testing

/// The `xms_mirid` / `xms_az_rid` rules: exact resource-id matching, tokens without them, identity match
/// (docs/azure-auth.md § Claim matching, § Tokens without xms claims, § Identity match).
@Suite struct AzureClaimTests {
    static let role: [String: JSONValue] = ["bound_subscription_ids": .string(Sim.subscription)]

    static func system(_ index: Int) -> SimulatorFixture.SystemIdentity {
        .init(
            principalId: String(format: "a0000000-0000-4000-8000-%012d", index),
            clientId: String(format: "c0000000-0000-4000-8000-%012d", index))
    }

    /// VMs `vm` / `vm-other` (rg-apps), `box` in `rg` and in `rg-2`, `vm-web` in the other subscription, and
    /// flexible scale sets `ss` (instance `1`) and `ss_a` (instance `b`, so VM `ss_a_b`).
    static var fixture: SimulatorFixture {
        get throws {
            var fixture = try Sim.fixture
            fixture.virtualMachines += [
                .init(
                    subscriptionId: Sim.subscription, resourceGroup: "rg-apps", name: "vm",
                    systemAssignedIdentity: system(1)),
                .init(
                    subscriptionId: Sim.subscription, resourceGroup: "rg-apps", name: "vm-other",
                    systemAssignedIdentity: system(2)),
                .init(
                    subscriptionId: Sim.subscription, resourceGroup: "rg", name: "box",
                    systemAssignedIdentity: system(3)),
                .init(
                    subscriptionId: Sim.subscription, resourceGroup: "rg-2", name: "box",
                    systemAssignedIdentity: system(4)),
                .init(
                    subscriptionId: Sim.otherSubscription, resourceGroup: "rg-apps", name: "vm-web",
                    systemAssignedIdentity: system(5)),
            ]
            fixture.virtualMachineScaleSets += [
                .init(
                    subscriptionId: Sim.subscription, resourceGroup: "rg-apps", name: "ss",
                    orchestrationMode: .flexible,
                    instances: ["1"], systemAssignedIdentity: system(6)),
                .init(
                    subscriptionId: Sim.subscription, resourceGroup: "rg-apps", name: "ss_a",
                    orchestrationMode: .flexible,
                    instances: ["b"], systemAssignedIdentity: system(7)),
            ]
            return fixture
        }
    }

    @Test func vmNamesMatchExactly() async throws {
        try await withAzureLab(fixture: try Self.fixture) { lab in
            try await lab.role("r", Self.role)
            let other = try lab.simulator.managedIdentityToken(vm: "vm-other")
            let refused = await lab.login(role: "r", jwt: other, vm: "vm")
            #expect(refused.errors == ["xms_mirid token claim does not match vm_name vm"])
            #expect(lab.simulator.requestLog().filter { $0.path.hasSuffix("/virtualMachines/vm") }.isEmpty)
            let own = try lab.simulator.managedIdentityToken(vm: "vm")
            #expect(await lab.login(role: "r", jwt: own, vm: "vm").status == 200)
            #expect(await lab.login(role: "r", jwt: other, vm: "vm-other").status == 200)
            // A flexible instance `vmss-flex_…` is not the VM `vmss-flex`.
            let instance = try lab.simulator.managedIdentityToken(scaleSet: "vmss-flex")
            #expect(
                await lab.login(role: "r", jwt: instance, vm: "vmss-flex").errors
                    == [
                        "xms_az_rid token claim does not match vm_name vmss-flex\nxms_mirid token claim does not match vm_name vmss-flex"
                    ])
        }
    }

    @Test func resourceGroupsMatchExactly() async throws {
        try await withAzureLab(fixture: try Self.fixture) { lab in
            try await lab.role("r", Self.role)
            let inRG2 = try lab.simulator.managedIdentityToken(vm: Sim.vmID("box", group: "rg-2"))
            let refused = await lab.login(role: "r", jwt: inRG2, group: "rg", vm: "box")
            #expect(refused.errors == ["xms_mirid token claim does not match resource_group_name rg"])
            #expect(lab.count("/virtualMachines/box") == 0)
            #expect(await lab.login(role: "r", jwt: inRG2, group: "rg-2", vm: "box").status == 200)
            #expect(await lab.login(role: "r", jwt: inRG2, group: "RG-2", vm: "BOX").status == 200)
            let inRG = try lab.simulator.managedIdentityToken(vm: Sim.vmID("box", group: "rg"))
            #expect(await lab.login(role: "r", jwt: inRG, group: "rg", vm: "box").status == 200)
        }
    }

    @Test func theClaimsSubscriptionMustBeTheLogins() async throws {
        try await withAzureLab(fixture: try Self.fixture) { lab in
            try await lab.role(
                "r", ["bound_subscription_ids": [.string(Sim.subscription), .string(Sim.otherSubscription)]])
            let elsewhere = try lab.simulator.managedIdentityToken(
                vm: Sim.vmID("vm-web", subscription: Sim.otherSubscription))
            let refused = await lab.login(role: "r", jwt: elsewhere, vm: "vm-web")
            #expect(refused.errors == ["xms_mirid token claim does not match subscription_id \(Sim.subscription)"])
            #expect(
                await lab.login(role: "r", jwt: elsewhere, subscription: Sim.otherSubscription, vm: "vm-web").status
                    == 200)
        }
    }

    @Test func scaleSetNamesMatchExactly() async throws {
        try await withAzureLab(fixture: try Self.fixture) { lab in
            try await lab.role("r", Self.role)
            let uniform = try lab.simulator.managedIdentityToken(scaleSet: "vmss-uniform")
            #expect(
                await lab.login(role: "r", jwt: uniform, vmss: "vmss-uni").errors
                    == [
                        "failed to verify flexible vmss claim: xms_mirid token claim does not match vmss_name vmss-uni\nfailed to verify uniform vmss claim: xms_mirid token claim does not match vmss_name vmss-uni"
                    ])
            // `ss_a_b` is instance `b` of `ss_a`, not an instance `a_b` of `ss`.
            let nested = try lab.simulator.managedIdentityToken(scaleSet: "ss_a")
            let refused = await lab.login(role: "r", jwt: nested, vmss: "ss")
            #expect(refused.error.hasPrefix("failed to verify flexible vmss claim: "))
            #expect(lab.count("/virtualMachineScaleSets/") == 0)
            #expect(await lab.login(role: "r", jwt: nested, vmss: "ss_a").status == 200)
            let flat = try lab.simulator.managedIdentityToken(scaleSet: "ss")
            #expect(await lab.login(role: "r", jwt: flat, vmss: "ss").status == 200)
        }
    }

    @Test func tokensWithoutXmsClaimsOnlyProveASystemIdentity() async throws {
        try await withAzureLab { lab in
            try await lab.role("r", Self.role)
            let vmSystem = try lab.token(oid: Sim.vmPrincipal) { $0["appid"] = "9e8d7c6b-5a4f-4e3d-a2c1-b0a9f8e7d6c5" }
            #expect(await lab.login(role: "r", jwt: vmSystem, vm: "vm-web").status == 200)
            let uniformSystem = try lab.token(oid: Sim.uniformPrincipal)
            #expect(await lab.login(role: "r", jwt: uniformSystem, vmss: "vmss-uniform").status == 200)
            // A user-assigned identity can be attached to many resources, so without the claims it proves nothing.
            let userAssigned = try lab.token(oid: Sim.uamiWebPrincipal) { $0["appid"] = .string(Sim.uamiWebClient) }
            #expect(
                await lab.login(role: "r", jwt: userAssigned, vm: "vm-web").errors
                    == ["xms_az_rid and xms_mirid claims are missing from token"])
            // A scale set names both claim patterns it tried, as the reference does.
            let shared = try lab.token(oid: Sim.uamiSharedPrincipal)
            #expect(
                await lab.login(role: "r", jwt: shared, vmss: "vmss-flex").errors
                    == [
                        "failed to verify flexible vmss claim: xms_az_rid and xms_mirid claims are missing from token\n"
                            + "failed to verify uniform vmss claim: xms_az_rid and xms_mirid claims are missing from token"
                    ])
            let uniformShared = try lab.token(oid: Sim.uamiSharedPrincipal)
            #expect(
                await lab.login(role: "r", jwt: uniformShared, vmss: "vmss-uniform").error.hasPrefix(
                    "failed to verify flexible vmss claim: xms_az_rid and xms_mirid claims are missing from token"))
            let site = try lab.token(oid: Sim.uamiWebPrincipal)
            #expect(
                await lab.login(role: "r", jwt: site, resourceID: Sim.siteID).errors
                    == ["xms_az_rid and xms_mirid claims are missing from token"])
            let siteSystem = try lab.token(oid: Sim.sitePrincipal)
            #expect(await lab.login(role: "r", jwt: siteSystem, resourceID: Sim.siteID).status == 200)
        }
    }

    @Test func theTokensIdentityMustBelongToTheResource() async throws {
        try await withAzureLab { lab in
            try await lab.role("r", Self.role)
            let stranger = "deadbeef-0000-4000-8000-000000000000"
            let claimsOnly = try lab.token(oid: stranger) { $0["xms_mirid"] = .string(Sim.vmID("vm-web")) }
            #expect(
                await lab.login(role: "r", jwt: claimsOnly, vm: "vm-web").errors
                    == ["token object id does not match expected identities, and no app id was found"])
            let withApp = try lab.token(oid: stranger) {
                $0["xms_mirid"] = .string(Sim.vmID("vm-web"))
                $0["appid"] = "deadbeef-0000-4000-9000-000000000000"
            }
            #expect(
                await lab.login(role: "r", jwt: withApp, vm: "vm-web").errors
                    == ["neither token object id nor token app id match expected identities"])
            let garbage = try lab.token(oid: Sim.vmPrincipal) { $0["xms_mirid"] = "not-a-resource-id" }
            #expect(
                await lab.login(role: "r", jwt: garbage, vm: "vm-web").errors
                    == ["xms_mirid token claim does not match vm_name vm-web"])
            let noOID = try lab.token { $0["oid"] = nil }
            let refused = await lab.login(role: "r", jwt: noOID, vm: "vm-web")
            #expect(refused.status == 400)
            #expect(refused.error.contains("oid"))
        }
    }
}
