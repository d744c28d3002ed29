import AzureSimulator
import Foundation

/// A small made-up estate for the AzureKit client tests (every identity kind, pages of two), its ids written once.
/// The example estate the docs walk through is ``ExampleEstate``.
///
/// ```swift
/// let simulator = try AzureSimulator(fixture: SyntheticEstate.fixture)
/// let credential = ClientSecretCredential(cloud: cloud, tenantID: SyntheticEstate.tenant, …)
/// ```
public enum SyntheticEstate {
    public static let tenant = "11111111-1111-1111-1111-111111111111"
    public static let otherTenant = "99999999-9999-9999-9999-999999999999"
    public static let subscription = "22222222-2222-2222-2222-222222222222"
    public static let appID = "33333333-3333-3333-3333-333333333333"
    public static let appObjectID = "44444444-4444-4444-4444-444444444444"
    public static let appPrincipalID = "55555555-5555-5555-5555-555555555555"
    public static let secret = "s3cr3t-value-never-logged"
    public static let vmPrincipal = "aaaaaaaa-0000-0000-0000-000000000001"
    public static let sitePrincipal = "aaaaaaaa-0000-0000-0000-000000000002"
    public static let uniformPrincipal = "aaaaaaaa-0000-0000-0000-000000000003"
    public static let siteID = "/subscriptions/\(subscription)/resourceGroups/rg-web/providers/Microsoft.Web/sites/app1"
    public static let appServiceHeader = "app-service-header-secret"

    public static func identityID(_ name: String, group: String = "rg-id") -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/\(name)"
    }

    public static func principal(_ index: Int) -> String { String(format: "bbbbbbbb-0000-0000-0000-%012d", index) }
    public static func client(_ index: Int) -> String { String(format: "cccccccc-0000-0000-0000-%012d", index) }

    /// Five identities in `rg-id` (pages of two), a VM with system + user identities, a uniform and a flexible
    /// scale set, an App Service site, and the `Microsoft.Web` provider.
    public static var fixture: SimulatorFixture {
        let identities = (1...5).map { index in
            SimulatorFixture.UserAssignedIdentity(
                subscriptionId: subscription, resourceGroup: "rg-id", name: "uami-\(index)",
                principalId: principal(index),
                clientId: client(index))
        }
        return SimulatorFixture(
            tenants: [
                .init(
                    tenantId: tenant, subscriptions: [subscription],
                    applications: [
                        .init(
                            appId: appID, objectId: appObjectID, servicePrincipalId: appPrincipalID,
                            displayName: "coffer",
                            passwordCredentials: [
                                .init(keyId: "dddddddd-0000-0000-0000-000000000001", secretText: secret)
                            ])
                    ]),
                .init(tenantId: otherTenant, subscriptions: []),
            ],
            userAssignedIdentities: identities,
            virtualMachines: [
                .init(
                    subscriptionId: subscription, resourceGroup: "rg-vm", name: "vm1", location: "westeurope",
                    systemAssignedIdentity: .init(principalId: vmPrincipal, clientId: client(100)),
                    userAssignedIdentities: ["uami-1"])
            ],
            virtualMachineScaleSets: [
                .init(
                    subscriptionId: subscription, resourceGroup: "rg-vm", name: "ss-uniform", location: "northeurope",
                    orchestrationMode: .uniform, instances: ["0"],
                    systemAssignedIdentity: .init(principalId: uniformPrincipal, clientId: client(101)),
                    userAssignedIdentities: ["uami-2"]),
                .init(
                    subscriptionId: subscription, resourceGroup: "rg-vm", name: "ss-flex", location: "eastus",
                    orchestrationMode: .flexible, instances: ["a1b2"], userAssignedIdentities: ["uami-3"]),
            ],
            resources: [
                .init(
                    id: siteID, location: "westeurope", kind: "app",
                    systemAssignedIdentity: .init(principalId: sitePrincipal, clientId: client(102)))
            ],
            providers: [
                .init(
                    namespace: "Microsoft.Web",
                    resourceTypes: [
                        .init(resourceType: "sites", apiVersions: ["2024-01-01-preview", "2023-01-01", "2022-03-01"])
                    ])
            ],
            currentMachine: .init(virtualMachine: "vm1"),
            appService: .init(site: "app1", identityHeader: appServiceHeader),
            listPageSize: 2)
    }
}
