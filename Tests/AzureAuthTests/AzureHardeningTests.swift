import AzureKit
import AzureSimulator
import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Testing

@testable import AzureAuth

/// Issue 10's Azure items: every binding holds on every login path, `xms_az_rid` names the resource itself,
/// only verified login fields reach metadata, and app-id matches still honour `bound_resource_groups`.
@Suite struct AzureHardeningTests {
    static let siteRole: [String: JSONValue] = [
        "bound_subscription_ids": .string(Sim.subscription), "bound_resource_groups": "rg-apps",
        "bound_locations": "westeurope",
    ]

    static func vmFar() -> SimulatorFixture.VirtualMachine {
        .init(
            subscriptionId: Sim.subscription, resourceGroup: "rg-far", name: "vm-far", location: "eastus",
            userAssignedIdentities: ["uami-web"])
    }

    static var uamiWebID: String {
        "/subscriptions/\(Sim.subscription)/resourcegroups/rg-apps/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-web"
    }

    // MARK: 9. bound_scale_sets on the app-id path

    @Test func appIDLoginsCannotSkipTheScaleSetBinding() async throws {
        try await withAzureLab { lab in
            try await lab.role("ss", ["bound_scale_sets": "vmss-uniform"])
            // A plain VM's token whose appid is a user-assigned identity in the group the caller names.
            let vm = try lab.simulator.managedIdentityToken(vm: "vm-web", identity: "uami-web")
            let refused = await lab.login(role: "ss", jwt: vm)
            #expect(refused.status == 400)
            #expect(refused.errors == ["scale set requires the vmss_name field to be set"])
            let workload = try lab.simulator.workloadIdentityToken(clientID: Sim.uamiWebClient, audience: Sim.audience)
            #expect(
                await lab.login(role: "ss", jwt: workload).errors == [
                    "scale set requires the vmss_name field to be set"
                ])
            // The bound scale set itself still logs in.
            let member = try lab.simulator.managedIdentityToken(scaleSet: "vmss-uniform", identity: "uami-shared")
            let answer = await lab.login(role: "ss", jwt: member, vmss: "vmss-uniform")
            #expect(answer.status == 200, "\(answer.errors ?? [])")
        }
    }

    // MARK: 10. a shared user-assigned identity

    @Test func aSharedIdentityOnAnotherResourceDoesNotProveTheResource() async throws {
        var fixture = try Sim.fixture
        fixture.virtualMachines.append(Self.vmFar())
        try await withAzureLab(fixture: fixture) { lab in
            try await lab.role("site", Self.siteRole)
            // vm-far (rg-far, eastus) shares uami-web with the App Service; its token names vm-far in xms_az_rid.
            let far = try lab.simulator.managedIdentityToken(
                vm: Sim.vmID("vm-far", group: "rg-far"), identity: "uami-web")
            let refused = await lab.login(role: "site", jwt: far, resourceID: Sim.siteID)
            #expect(refused.status == 400)
            #expect(refused.errors == ["the token's xms_az_rid claim does not name the resource in resource_id"])
            // xms_az_rid wins even when xms_mirid names the resource itself.
            let mixed = try lab.token(oid: Sim.uamiWebPrincipal) { claims in
                claims["xms_az_rid"] = .string(Sim.vmID("vm-far", group: "rg-far"))
                claims["xms_mirid"] = .string(Sim.siteID)
            }
            #expect(await lab.login(role: "site", jwt: mixed, resourceID: Sim.siteID).status == 400)
        }
    }

    @Test func theResourcesOwnTokensStillProveIt() async throws {
        try await withAzureLab { lab in
            try await lab.role("site", Self.siteRole)
            let own = try lab.simulator.managedIdentityToken(resourceID: Sim.siteID, identity: "uami-web")
            let answer = await lab.login(role: "site", jwt: own, resourceID: Sim.siteID)
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            // ARM ids compare case-insensitively.
            let shouted = try lab.token(oid: Sim.uamiWebPrincipal) { claims in
                claims["xms_az_rid"] = .string(Sim.siteID.uppercased())
                claims["xms_mirid"] = .string(Self.uamiWebID)
            }
            #expect(await lab.login(role: "site", jwt: shouted, resourceID: Sim.siteID).status == 200)
            // Without xms_az_rid, xms_mirid may name a user-assigned identity ARM reports attached to the resource.
            let attached = try lab.token(oid: Sim.uamiWebPrincipal) { claims in
                claims["xms_mirid"] = .string(Self.uamiWebID)
            }
            let viaMirid = await lab.login(role: "site", jwt: attached, resourceID: Sim.siteID)
            #expect(viaMirid.status == 200, "\(viaMirid.errors ?? [])")
            // …but not one that is not attached to it.
            let shared = try lab.token(oid: Sim.uamiSharedPrincipal) { claims in
                claims["xms_mirid"] = .string(
                    "/subscriptions/\(Sim.otherSubscription)/resourcegroups/rg-shared/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-shared"
                )
            }
            #expect(await lab.login(role: "site", jwt: shared, resourceID: Sim.siteID).status == 400)
        }
    }

    // MARK: 11. metadata holds only verified login fields

    /// The token's `meta` and the identity alias's metadata of a successful login.
    static func recorded(_ lab: AzureLab, _ login: CoreResponse) async throws -> (
        meta: [String: JSONValue], alias: [String: JSONValue]
    ) {
        let token = try #require(login.clientToken, "\(login.errors ?? [])")
        let lookup = await lab.request(.read, "auth/token/lookup-self", token: token)
        let meta = try #require(lookup.data["meta"]?.objectValue)
        let entityID = try #require(lookup.data["entity_id"]?.stringValue)
        let entity = await lab.request(.read, "identity/entity/id/\(entityID)")
        let aliases = try #require(entity.data["aliases"]?.arrayValue)
        try #require(aliases.count == 1)
        return (meta, aliases[0].objectValue?["metadata"]?.objectValue ?? [:])
    }

    @Test func loginFieldsNoCheckVerifiedAreNotRecorded() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", ["bound_service_principal_ids": .string(Sim.vmPrincipal)])
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            let login = await lab.login(
                role: "sp", jwt: jwt, vm: "vm-web", vmss: "vmss-uniform", resourceID: "*")
            let (meta, alias) = try await Self.recorded(lab, login)
            let appID: JSONValue = "9e8d7c6b-5a4f-4e3d-a2c1-b0a9f8e7d6c5"
            #expect(
                meta == ["role": "sp", "subscription_id": "", "resource_group_name": "", "app_id": appID])
            #expect(alias == ["subscription_id": "", "resource_group_name": "", "app_id": appID])
            #expect(login.auth["metadata"]?.objectValue == meta)
        }
    }

    @Test func verifiedLoginFieldsAreRecordedAndTheIgnoredOnesAreNot() async throws {
        try await withAzureLab { lab in
            try await lab.role("vm", AzureBranchTests.vmRole)
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            // vm_name wins over resource_id, so resource_id is never checked and never recorded.
            let login = await lab.login(role: "vm", jwt: jwt, vm: "vm-web", resourceID: Sim.siteID)
            let (meta, alias) = try await Self.recorded(lab, login)
            let expected: [String: JSONValue] = [
                "subscription_id": .string(Sim.subscription), "resource_group_name": "rg-apps", "vm_name": "vm-web",
                "app_id": "9e8d7c6b-5a4f-4e3d-a2c1-b0a9f8e7d6c5",
            ]
            #expect(alias == expected)
            #expect(meta == expected.merging(["role": "vm"]) { $1 })

            let site = try lab.simulator.managedIdentityToken(resourceID: Sim.siteID)
            let siteLogin = await lab.login(role: "vm", jwt: site, resourceID: Sim.siteID)
            #expect(siteLogin.auth["metadata"]?.objectValue?["resource_id"] == .string(Sim.siteID))
        }
    }

    // MARK: 12. app-id matches and resource groups

    @Test func anAppIDMatchNeedsTheNamedResourceInABoundGroupToo() async throws {
        let fixture = try Sim.fixtureWithVaultIdentity
        let vaultClient = Sim.vaultIdentityClient
        try await withAzureLab(fixture: fixture) { lab in
            // A token naming vm-web (rg-apps) whose oid is not vm-web's, but whose appid lives in rg-vault.
            let jwt = try lab.token(oid: "00000000-0000-4000-8000-00000000bbbb") { claims in
                claims["appid"] = .string(vaultClient)
                claims["xms_mirid"] = .string(Sim.vmID("vm-web"))
            }
            try await lab.role(
                "vault", ["bound_subscription_ids": .string(Sim.subscription), "bound_resource_groups": "rg-vault"])
            #expect(await lab.login(role: "vault", jwt: jwt, vm: "vm-web").errors == ["resource group not authorized"])
            try await lab.role(
                "both",
                ["bound_subscription_ids": .string(Sim.subscription), "bound_resource_groups": "rg-vault,rg-apps"])
            let answer = await lab.login(role: "both", jwt: jwt, vm: "vm-web")
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            // An identity outside the bound groups is refused whichever group the login names.
            let outside = try lab.simulator.workloadIdentityToken(clientID: Sim.uamiWebClient, audience: Sim.audience)
            #expect(await lab.login(role: "vault", jwt: outside, group: "rg-vault").status == 400)
            #expect(await lab.login(role: "vault", jwt: outside, group: "rg-apps").status == 400)
            // The app-id match records where the identity lives, which ARM verified.
            let inside = try lab.simulator.workloadIdentityToken(clientID: vaultClient, audience: Sim.audience)
            let matched = await lab.login(role: "vault", jwt: inside, group: "rg-apps")
            #expect(matched.status == 200, "\(matched.errors ?? [])")
            #expect(matched.auth["metadata"]?.objectValue?["resource_group_name"] == "rg-vault")
        }
    }

    // MARK: 13. a flexible instance is one only if ARM says so

    /// A standalone VM in vmss-flex's group, named like its instances, sharing its user-assigned identity.
    static func lookalike() -> SimulatorFixture.VirtualMachine {
        .init(
            subscriptionId: Sim.subscription, resourceGroup: "rg-apps", name: "vmss-flex_evil",
            userAssignedIdentities: ["uami-shared"])
    }

    /// The lab the flexible-instance tests share: the fixture with the lookalike VM, and a role `ss` bound to
    /// vmss-flex.
    static func withFlexibleScaleSetLab(_ body: (AzureLab) async throws -> Void) async throws {
        var fixture = try Sim.fixture
        fixture.virtualMachines.append(lookalike())
        try await withAzureLab(fixture: fixture) { lab in
            try await lab.role("ss", ["bound_scale_sets": "vmss-flex"])
            try await body(lab)
        }
    }

    @Test func aVMNamedLikeAFlexibleInstanceIsNotOne() async throws {
        try await Self.withFlexibleScaleSetLab { lab in
            let evil = try lab.simulator.managedIdentityToken(vm: "vmss-flex_evil", identity: "uami-shared")
            let refused = await lab.login(role: "ss", jwt: evil, vmss: "vmss-flex")
            #expect(refused.status == 400)
            #expect(
                refused.errors == [
                    "failed to verify flexible vmss claim: virtual machine vmss-flex_evil is not an instance of scale set vmss-flex"
                ])
            #expect(await lab.entityCount == 0)
            #expect(lab.count("/virtualMachines/vmss-flex_evil") == 1)
        }
    }

    @Test func aRealFlexibleInstanceLogsInWithOneMoreARMRead() async throws {
        try await Self.withFlexibleScaleSetLab { lab in
            let member = try lab.simulator.managedIdentityToken(scaleSet: "vmss-flex", instance: "e5f6a7b8")
            let answer = await lab.login(role: "ss", jwt: member, vmss: "vmss-flex")
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            #expect(answer.auth["metadata"]?.objectValue?["vmss_name"] == "vmss-flex")
            // The scale set, its one user-assigned identity (flexible sets omit principal ids), and the instance.
            let reads = lab.simulator.requestLog().map(\.path).filter { $0.contains("/resourceGroups/") }
            #expect(
                reads == [
                    "/subscriptions/\(Sim.subscription)/resourceGroups/rg-apps/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-flex",
                    "/subscriptions/\(Sim.subscription)/resourceGroups/rg-apps/providers/Microsoft.Compute/virtualMachines/vmss-flex_e5f6a7b8",
                    "/subscriptions/\(Sim.otherSubscription)/resourceGroups/rg-shared/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-shared",
                ])
            // A uniform instance's claim nests it under its scale set: no VM read.
            let uniform = try lab.simulator.managedIdentityToken(scaleSet: "vmss-uniform", identity: "uami-shared")
            try await lab.role("uniform", ["bound_scale_sets": "vmss-uniform"])
            #expect(await lab.login(role: "uniform", jwt: uniform, vmss: "vmss-uniform").status == 200)
            #expect(lab.count("/virtualMachines/") == 1)
        }
    }

    @Test func theInstancesScaleSetMustBeTheNamedOne() async throws {
        let flex =
            "/subscriptions/\(Sim.subscription)/resourceGroups/rg-apps/providers/Microsoft.Compute/virtualMachineScaleSets/vmss-flex"
        let cases: [(owner: String?, passes: Bool)] = [
            (flex, true),
            (flex.uppercased(), true),  // ARM ids compare case-insensitively
            (nil, false),  // a standalone VM
            (flex.replacingOccurrences(of: "/vmss-flex", with: "/vmss-other"), false),
            (flex.replacingOccurrences(of: "/rg-apps/", with: "/rg-other/"), false),
            (flex.replacingOccurrences(of: Sim.subscription, with: Sim.otherSubscription), false),
            (flex + "/virtualMachines/0", false),
            ("vmss-flex", false),  // not a resource id
        ]
        for (owner, passes) in cases {
            let arm = FixedARM(instanceScaleSetID: owner)
            let login = AzureLogin(verifier: FixedClaims(), resourceManager: arm, apiVersions: ARMAPIVersionResolver())
            let fields = AzureLoginFields(
                role: "ss", jwt: "", subscriptionID: Sim.subscription, resourceGroupName: "rg-apps", vmName: "",
                vmssName: "vmss-flex", resourceID: "")
            let claims = AzureTokenClaims(
                objectID: Sim.uamiSharedPrincipal, xmsMirid: FixedARM.identityID, xmsAzRid: Sim.vmID("vmss-flex_x1"))
            let role = AzureRole(boundScaleSets: ["vmss-flex"])
            do {
                _ = try await login.checkResource(fields, claims: claims, role: role)
                #expect(passes, "\(owner ?? "nil") passed")
            } catch let error as LogicalError {
                #expect(!passes, "\(owner ?? "nil"): \(error)")
                #expect(
                    error
                        == .badRequest(
                            "failed to verify flexible vmss claim: virtual machine vmss-flex_x1 is not an instance of scale set vmss-flex"
                        ))
            }
        }
    }

    // MARK: login field syntax

    @Test func subscriptionIDsAreASCIIHexOnly() async throws {
        #expect(LoginFieldSyntax.isSubscriptionID("ABCDEF01-abcd-4333-8444-555555555555"))
        #expect(LoginFieldSyntax.isSubscriptionID(Sim.subscription))
        // Fullwidth and Arabic-Indic digits are hexadecimal to Character.isHexDigit, not to the reference's regex.
        #expect(!LoginFieldSyntax.isSubscriptionID("\u{FF11}1111111-2222-4333-8444-555555555555"))
        #expect(!LoginFieldSyntax.isSubscriptionID("\u{FF21}1111111-2222-4333-8444-555555555555"))
        #expect(!LoginFieldSyntax.isSubscriptionID("\u{0661}1111111-2222-4333-8444-555555555555"))
        #expect(!LoginFieldSyntax.isSubscriptionID("g1111111-2222-4333-8444-555555555555"))

        let harness = try await AzureHarness.make()
        #expect(await harness.request(.update, "sys/auth/azure", ["type": "azure"]).status == 204)
        #expect(
            await harness.request(.update, "auth/azure/role/r", ["bound_subscription_ids": .string(Sim.subscription)])
                .status == 204)
        let fullwidth = "\u{FF11}1111111-2222-4333-8444-555555555555"
        let login = await harness.request(
            .update, "auth/azure/login",
            ["role": "r", "jwt": "x", "subscription_id": .string(fullwidth), "resource_group_name": "rg"], token: "")
        #expect(login.status == 400)
        #expect(login.errors == ["invalid subscription id \"\(fullwidth)\""])
    }
}

/// The start-up warning for simulator settings left in a server's environment.
@Suite struct AzureStartupWarningTests {
    static func environmentFile(_ document: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("azure-env-\(UUID().uuidString).json")
        try Data(document.utf8).write(to: path)
        return path.path
    }

    @Test func simulatorEndpointsInTheEnvironmentAreWarnedAbout() throws {
        let file = try Self.environmentFile(
            #"{"activeDirectoryEndpoint":"http://127.0.0.1:4000/","resourceManagerEndpoint":"http://127.0.0.1:4000/","#
                + #""microsoftGraphEndpoint":"http://127.0.0.1:4000/graph/","tokenAudience":"https://management.azure.com/"}"#
        )
        defer { try? FileManager.default.removeItem(atPath: file) }
        let warnings = AzureAuthMethod.startupWarnings(environment: [
            "AZURE_ENVIRONMENT_FILEPATH": file, "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:4000",
        ])
        try #require(warnings.count == 2)
        #expect(warnings[0].message.hasPrefix("AZURE_ENVIRONMENT_FILEPATH points Azure at plain http on loopback"))
        #expect(warnings[0].metadata["path"] == file)
        #expect(warnings[0].metadata["activeDirectoryEndpoint"] == "http://127.0.0.1:4000/")
        #expect(warnings[0].metadata["microsoftGraphEndpoint"] == "http://127.0.0.1:4000/graph/")
        #expect(warnings[1].message.hasPrefix("AZURE_POD_IDENTITY_AUTHORITY_HOST sends"))
        #expect(warnings[1].metadata == ["host": "http://127.0.0.1:4000"])
        // Values go in metadata, never in the message text.
        #expect(!warnings.contains { $0.message.contains("127.0.0.1") || $0.message.contains(file) })
        #expect(
            AzureAuthMethod.startupWarnings(environment: ["AZURE_POD_IDENTITY_AUTHORITY_HOST": "HTTP://[::1]:9"]).count
                == 1)
    }

    @Test func productionSettingsAreNotWarnedAbout() throws {
        let file = try Self.environmentFile(
            #"{"activeDirectoryEndpoint":"https://login.azurestack.example/","resourceManagerEndpoint":"https://management.azurestack.example/"}"#
        )
        defer { try? FileManager.default.removeItem(atPath: file) }
        #expect(AzureAuthMethod.startupWarnings(environment: [:]).isEmpty)
        #expect(AzureAuthMethod.startupWarnings(environment: ["AZURE_ENVIRONMENT_FILEPATH": file]).isEmpty)
        // The IMDS default and an https pod-identity host are ordinary production settings.
        #expect(
            AzureAuthMethod.startupWarnings(environment: ["AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://169.254.169.254"]
            )
            .isEmpty)
        #expect(
            AzureAuthMethod.startupWarnings(environment: ["AZURE_POD_IDENTITY_AUTHORITY_HOST": "https://127.0.0.1:4000"]
            )
            .isEmpty)
    }
}

/// ARM answers fixed by a test, for VM shapes the simulator's fixture cannot express: a scale set `vmss-flex` with
/// one user-assigned identity, and its would-be instance `vmss-flex_x1` claiming membership of `instanceScaleSetID`.
struct FixedARM: AzureResourceManaging {
    static let identityID =
        "/subscriptions/\(Sim.subscription)/resourceGroups/rg-apps/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-x"
    struct Unexpected: Error {}
    var instanceScaleSetID: String?

    func virtualMachine(subscription: String, resourceGroup: String, name: String) async throws -> ARMResource {
        guard name == "vmss-flex_x1" else { throw AzureError.notFound(call: "ARM GET virtualMachines", detail: name) }
        return ARMResource(
            id: Sim.vmID(name), name: name, location: "westeurope",
            identity: ARMIdentity(userAssignedIdentities: [Self.identityID: Sim.uamiSharedPrincipal]),
            scaleSetID: instanceScaleSetID)
    }

    func virtualMachineScaleSet(subscription: String, resourceGroup: String, name: String) async throws -> ARMResource {
        ARMResource(
            id: "", name: name, location: "westeurope",
            identity: ARMIdentity(userAssignedIdentities: [Self.identityID: Sim.uamiSharedPrincipal]))
    }

    func userAssignedIdentity(resourceID: String) async throws -> ManagedIdentityInfo { throw Unexpected() }
    func userAssignedIdentities(subscription: String, resourceGroup: String) async throws -> [ManagedIdentityInfo] {
        throw Unexpected()
    }
    func providerResourceTypes(subscription: String, namespace: String) async throws -> [String: [String]] {
        throw Unexpected()
    }
    func resource(id: String, apiVersion: String) async throws -> ARMResource { throw Unexpected() }
}

/// A verifier for tests that call the resource checks directly and never verify a token.
struct FixedClaims: AzureTokenVerifying {
    func verify(_ jwt: String) async throws -> AzureTokenClaims { AzureTokenClaims() }
}
