import AzureAuth
import AzureKit
import AzureSimulator
import CofferCore
import CofferFramework
import Foundation
import Testing

/// Helpers for root-rotation tests: fast rotation timing, the simulated app's passwords, and probing a secret
/// against the simulated token endpoint.
///
/// ```swift
/// try await withAzureLab(rotation: Rotation.fast) { lab in
///     let before = lab.appPasswords
///     try await Rotation.eventually { lab.appPasswords.count == before.count + 1 }
/// }
/// ```
enum Rotation {
    /// Promotion one second after a rotation, background passes five times a second.
    static let fast = AzureRotationKnobs(propagation: 1, tick: 0.2)

    static let devRole: [String: JSONValue] = [
        "policies": "dev", "bound_subscription_ids": .string(Sim.subscription), "bound_resource_groups": "rg-apps",
    ]

    /// Polls `condition` until it holds or `timeout` passes; fails the test with `what` on timeout.
    static func eventually(
        _ what: String, timeout: Duration = .seconds(15), sourceLocation: SourceLocation = #_sourceLocation,
        _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for: \(what)", sourceLocation: sourceLocation)
        throw CancellationError()
    }

    /// The fixture app's passwords as the simulator holds them now.
    static func passwords(_ simulator: AzureSimulator) -> [SimulatorFixture.PasswordCredential] {
        simulator.fixture.tenants.flatMap(\.applications).first { $0.appId == Sim.appID }?.passwordCredentials ?? []
    }

    /// Whether the simulated token endpoint accepts `secret` for the fixture app (a Graph call needs a token).
    static func secretWorks(_ secret: String, factory: AzureKitServicesFactory, environmentFile: URL) async throws
        -> Bool
    {
        let settings = try AzureSettings.resolve(
            tenantID: Sim.tenant, resource: Sim.audience, clientID: Sim.appID, clientSecret: secret,
            environmentName: "AzureStackCloud", environment: ["AZURE_ENVIRONMENT_FILEPATH": environmentFile.path])
        do {
            _ = try await factory.makeGraph(settings, pluginIdentityToken: nil).findApplication(appID: Sim.appID)
            return true
        } catch AzureError.upstream(let call, let status, _) where call == "token endpoint" && status == 401 {
            return false
        }
    }
}

extension AzureLab {
    var appPasswords: [SimulatorFixture.PasswordCredential] { Rotation.passwords(simulator) }

    func secretWorks(_ secret: String) async throws -> Bool {
        try await Rotation.secretWorks(secret, factory: factory, environmentFile: environmentFile)
    }

    /// A login from `vm-web`, which needs ARM (so Coffer's own credential) to succeed.
    func vmLogin() async throws -> CoreResponse {
        await login(role: "dev-role", jwt: try simulator.managedIdentityToken(vm: "vm-web"), vm: "vm-web")
    }
}
