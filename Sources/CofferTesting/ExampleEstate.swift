import AzureSimulator
import Foundation

/// The ids of `Examples/azure-sim/fixture.json`, the one estate the simulator ships with, written once for every
/// test target (the Azure method's tests call it `Sim`, the simulator's own tests `Example`).
///
/// ```swift
/// let simulator = try AzureSimulator(fixture: try ExampleEstate.fixture)
/// let jwt = try simulator.managedIdentityToken(vm: "vm-web")   // oid == ExampleEstate.vmPrincipal
/// ```
public enum ExampleEstate {
    public static let tenant = "8a2f1c7e-4b3d-4e9a-9c1f-2d6e8b0a5f31"
    public static let subscription = "11111111-2222-4333-8444-555555555555"
    /// Holds `rg-shared` and its `uami-shared`.
    public static let otherSubscription = "66666666-7777-4888-9999-000000000000"
    /// The `coffer` application whose client secret the Azure method is configured with.
    public static let appID = "3f9d2b1a-6c4e-4f7a-8b2d-9e1c0a5b7d64"
    public static let appObjectID = "b7e4c2a9-1d3f-4a6b-9c8e-2f5a7d0b1e36"
    public static let appPrincipal = "c1a8e5d2-7b4f-4c3a-8e9d-6f2b0a1c5e47"
    public static let secret = "sim8Q~ExampleClientSecretForTheSimulatorOnly"
    public static let group = "e2c7a4f1-9b5d-4a3e-8c6f-1d0b7e2a5c93"
    /// `vm-web`'s system-assigned identity.
    public static let vmPrincipal = "5a1e9c3f-7d2b-4f8a-9e6c-0b4d2a7f1e85"
    public static let vmClient = "9e8d7c6b-5a4f-4e3d-a2c1-b0a9f8e7d6c5"
    public static let uamiWebPrincipal = "a9f3c6e2-1b7d-4e5a-8f0c-3d9b6e2a4c71"
    public static let uamiWebClient = "f0e1d2c3-b4a5-4697-8877-665544332211"
    public static let uamiSharedPrincipal = "7c2e9a4f-3b1d-4f6e-a8c5-2e9d1b7f3a60"
    public static let uamiSharedClient = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    /// The uniform scale set's system-assigned identity.
    public static let uniformPrincipal = "4d8b2e6f-0a3c-4b7e-9d1f-8c2a6e4b0d59"
    /// `app-orders`' system-assigned identity.
    public static let sitePrincipal = "8f3a1d6c-2e9b-4c5a-b7d0-4e1f9a3c6b82"
    /// The App Service `IDENTITY_HEADER` the simulator expects.
    public static let identityHeader = "sim-identity-header-0f3c"
    public static let audience = AzureSimulator.armTokenAudience

    /// `/subscriptions/<subscription>/resourceGroups/rg-apps`.
    public static let appsGroupID = "/subscriptions/\(subscription)/resourceGroups/rg-apps"
    public static let siteID = "\(appsGroupID)/providers/Microsoft.Web/sites/app-orders"
    public static let uamiWebID = "\(appsGroupID)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-web"
    public static let uamiSharedID =
        "/subscriptions/\(otherSubscription)/resourceGroups/rg-shared/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-shared"

    public static func vmID(_ name: String, group: String = "rg-apps", subscription: String = subscription) -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.Compute/virtualMachines/\(name)"
    }

    /// The client id of `uami-vault`, a user-assigned identity in `rg-vault` that ``fixtureWithVaultIdentity``
    /// adds (attached to nothing: app-id logins find it by its client id alone).
    public static let vaultIdentityClient = "00000000-0000-4000-9000-00000000aaaa"

    public static var fixtureWithVaultIdentity: SimulatorFixture {
        get throws {
            var fixture = try fixture
            fixture.userAssignedIdentities.append(
                .init(
                    subscriptionId: subscription, resourceGroup: "rg-vault", name: "uami-vault",
                    principalId: "00000000-0000-4000-8000-00000000aaaa", clientId: vaultIdentityClient))
            return fixture
        }
    }

    /// The checkout this file was compiled from (`Sources/CofferTesting/` is two levels down).
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    public static var fixturePath: String {
        repositoryRoot.appendingPathComponent("Examples/azure-sim/fixture.json").path
    }

    public static var fixture: SimulatorFixture {
        get throws { try SimulatorFixture.load(path: fixturePath) }
    }
}
