import AzureAuth
import AzureKit
import AzureSimulator
import CofferCore
import CofferFramework
import Foundation
import Logging
import Synchronization
import Testing

/// The example estate of `Examples/azure-sim/fixture.json`, by name.
enum Sim {
    static let tenant = "8a2f1c7e-4b3d-4e9a-9c1f-2d6e8b0a5f31"
    static let subscription = "11111111-2222-4333-8444-555555555555"
    static let otherSubscription = "66666666-7777-4888-9999-000000000000"
    static let appID = "3f9d2b1a-6c4e-4f7a-8b2d-9e1c0a5b7d64"
    static let appPrincipal = "c1a8e5d2-7b4f-4c3a-8e9d-6f2b0a1c5e47"
    static let secret = "sim8Q~ExampleClientSecretForTheSimulatorOnly"
    static let group = "e2c7a4f1-9b5d-4a3e-8c6f-1d0b7e2a5c93"
    static let vmPrincipal = "5a1e9c3f-7d2b-4f8a-9e6c-0b4d2a7f1e85"
    static let uamiWebPrincipal = "a9f3c6e2-1b7d-4e5a-8f0c-3d9b6e2a4c71"
    static let uamiWebClient = "f0e1d2c3-b4a5-4697-8877-665544332211"
    static let uamiSharedPrincipal = "7c2e9a4f-3b1d-4f6e-a8c5-2e9d1b7f3a60"
    static let uamiSharedClient = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    static let uniformPrincipal = "4d8b2e6f-0a3c-4b7e-9d1f-8c2a6e4b0d59"
    static let sitePrincipal = "8f3a1d6c-2e9b-4c5a-b7d0-4e1f9a3c6b82"
    static let siteID =
        "/subscriptions/11111111-2222-4333-8444-555555555555/resourceGroups/rg-apps/providers/Microsoft.Web/sites/app-orders"
    static let audience = AzureSimulator.armTokenAudience

    static func vmID(_ name: String, group: String = "rg-apps", subscription: String = subscription) -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.Compute/virtualMachines/\(name)"
    }

    /// The client id of `uami-vault`, a user-assigned identity in `rg-vault` that ``fixtureWithVaultIdentity``
    /// adds (attached to nothing: app-id logins find it by its client id alone).
    static let vaultIdentityClient = "00000000-0000-4000-9000-00000000aaaa"

    static var fixtureWithVaultIdentity: SimulatorFixture {
        get throws {
            var fixture = try Sim.fixture
            fixture.userAssignedIdentities.append(
                .init(
                    subscriptionId: subscription, resourceGroup: "rg-vault", name: "uami-vault",
                    principalId: "00000000-0000-4000-8000-00000000aaaa", clientId: vaultIdentityClient))
            return fixture
        }
    }

    static var fixture: SimulatorFixture {
        get throws {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            return try SimulatorFixture.load(path: root.appendingPathComponent("Examples/azure-sim/fixture.json").path)
        }
    }
}

/// A simulated Azure tenant on loopback plus a core whose Azure auth mounts use the production
/// `AzureKitServicesFactory`, pointed at the simulator through an Azure-Stack environment file.
///
/// ```swift
/// try await withAzureLab { lab in
///     try await lab.role("dev-role", ["bound_subscription_ids": .string(Sim.subscription), …])
///     let answer = await lab.login(role: "dev-role", jwt: try lab.simulator.managedIdentityToken(vm: "vm-web"), …)
/// }
/// ```
final class AzureLab: Sendable {
    let harness: AzureHarness
    let factory: AzureKitServicesFactory
    let directory: URL
    let environmentFile: URL
    private let current: Mutex<AzureSimulator>

    var simulator: AzureSimulator { current.withLock { $0 } }
    var core: Core { harness.core }

    private init(
        harness: AzureHarness, factory: AzureKitServicesFactory, directory: URL, environmentFile: URL,
        simulator: AzureSimulator
    ) {
        self.harness = harness
        self.factory = factory
        self.directory = directory
        self.environmentFile = environmentFile
        self.current = Mutex(simulator)
    }

    /// Starts a simulator, writes its environment file, builds the core and enables + configures each mount.
    /// `wrap` may put a test's factory around the production one; `rotation` sets root-rotation timing.
    static func start(
        fixture: SimulatorFixture? = nil, mounts: [String] = ["azure"], config: [String: JSONValue] = [:],
        extraEnvironment: [String: String] = [:], rotation: AzureRotationKnobs = AzureRotationKnobs(),
        wrap: @escaping @Sendable (AzureKitServicesFactory) -> any AzureServicesFactory = { $0 }
    ) async throws -> AzureLab {
        let simulator = try AzureSimulator(fixture: try fixture ?? Sim.fixture)
        try await simulator.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("azure-lab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("environment.json")
        try Data(simulator.environment.serialized().utf8).write(to: file)
        let environment = ["AZURE_ENVIRONMENT_FILEPATH": file.path].merging(extraEnvironment) { $1 }
        let factory = AzureKitServicesFactory(
            environment: environment, logger: Logger(label: "azure-lab"), version: "test")
        let wrapped = wrap(factory)
        let harness = try await AzureHarness.make(environment: environment, rotation: rotation, services: { wrapped })
        let lab = AzureLab(
            harness: harness, factory: factory, directory: directory, environmentFile: file, simulator: simulator)
        for mount in mounts {
            try await lab.expect(.update, "sys/auth/\(mount)", ["type": "azure"], status: 204)
            try await lab.configure(mount: mount, config)
        }
        return lab
    }

    /// The configuration the brief asks for: the fixture tenant, the simulator's ARM audience, AzureStackCloud and
    /// the fixture app's client secret; `extra` adds or overrides fields.
    func configure(mount: String = "azure", _ extra: [String: JSONValue] = [:]) async throws {
        let config: [String: JSONValue] = [
            "tenant_id": .string(Sim.tenant), "resource": .string(Sim.audience), "environment": "AzureStackCloud",
            "client_id": .string(Sim.appID), "client_secret": .string(Sim.secret), "retry_delay": "1s",
            "max_retry_delay": "2s",
        ]
        try await expect(.update, "auth/\(mount)/config", config.merging(extra) { $1 }, status: 204)
    }

    func stop() async {
        await simulator.stop()
        await factory.shutdown()
        try? FileManager.default.removeItem(at: directory)
    }

    /// Stops the simulator and starts a new one on the same port with the same fixture (so new signing keys).
    @discardableResult
    func restartSimulator() async throws -> AzureSimulator {
        let old = simulator
        let port = try #require(old.port)
        let fixture = old.fixture
        await old.stop()
        let fresh = try AzureSimulator(fixture: fixture)
        try await fresh.start(port: port)
        current.withLock { $0 = fresh }
        return fresh
    }

    // MARK: Requests

    @discardableResult
    func request(
        _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:], token: String? = nil
    ) async -> CoreResponse {
        await harness.request(operation, path, data, token: token)
    }

    @discardableResult
    func expect(
        _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:], token: String? = nil,
        status: Int, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> CoreResponse {
        let response = await request(operation, path, data, token: token)
        try #require(
            response.status == status, "\(path): \(response.status) \(response.errors ?? [])",
            sourceLocation: sourceLocation)
        return response
    }

    func role(
        _ name: String, _ data: [String: JSONValue], mount: String = "azure",
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let response = await request(.update, "auth/\(mount)/role/\(name)", data)
        try #require(
            response.status == 204 || response.status == 200, "role \(name): \(response.errors ?? [])",
            sourceLocation: sourceLocation)
    }

    /// An unauthenticated login (no token), as a machine sends it.
    func login(
        role: String, jwt: String, mount: String = "azure", subscription: String? = Sim.subscription,
        group: String? = "rg-apps", vm: String? = nil, vmss: String? = nil, resourceID: String? = nil,
        extra: [String: JSONValue] = [:], from address: String = "127.0.0.1"
    ) async -> CoreResponse {
        var data: [String: JSONValue] = ["role": .string(role), "jwt": .string(jwt)]
        if let subscription { data["subscription_id"] = .string(subscription) }
        if let group { data["resource_group_name"] = .string(group) }
        if let vm { data["vm_name"] = .string(vm) }
        if let vmss { data["vmss_name"] = .string(vmss) }
        if let resourceID { data["resource_id"] = .string(resourceID) }
        return await core.handle(
            CoreRequest(
                id: UUID().uuidString, operation: .update, path: "auth/\(mount)/login",
                data: data.merging(extra) { $1 },
                remoteAddress: address))
    }

    // MARK: Tokens and observations

    /// A v1 token of the fixture tenant with custom claims, signed by the simulator's active key.
    func token(
        oid: String = Sim.vmPrincipal, audience: String = Sim.audience, kid: String? = nil,
        _ edit: (inout [String: SimulatorJSON]) -> Void = { _ in }
    ) throws -> String {
        var claims = simulator.standardClaims(tenant: Sim.tenant, audience: audience)
        claims["oid"] = .string(oid)
        claims["sub"] = .string(oid)
        edit(&claims)
        return try simulator.issueToken(claims: claims, kid: kid)
    }

    func count(_ pathContains: String) -> Int { simulator.requestCount(pathContains: pathContains) }

    var entityCount: Int {
        get async {
            let list = await request(.list, "identity/entity/id")
            if case .array(let keys)? = list.data["keys"] { return keys.count }
            return 0
        }
    }

    var tokenCount: Int {
        get async {
            let list = await request(.list, "auth/token/accessors")
            if case .array(let keys)? = list.data["keys"] { return keys.count }
            return 0
        }
    }
}

/// Runs `body` against a fresh lab and always tears it down.
func withAzureLab<T>(
    fixture: SimulatorFixture? = nil, mounts: [String] = ["azure"], config: [String: JSONValue] = [:],
    extraEnvironment: [String: String] = [:], rotation: AzureRotationKnobs = AzureRotationKnobs(),
    wrap: @escaping @Sendable (AzureKitServicesFactory) -> any AzureServicesFactory = { $0 },
    _ body: (AzureLab) async throws -> T
) async throws -> T {
    let lab = try await AzureLab.start(
        fixture: fixture, mounts: mounts, config: config, extraEnvironment: extraEnvironment, rotation: rotation,
        wrap: wrap)
    do {
        let result = try await body(lab)
        await lab.stop()
        return result
    } catch {
        await lab.stop()
        throw error
    }
}

extension CoreResponse {
    /// The whole answer as text, for "no secret in here" checks.
    var text: String {
        switch body {
        case .empty: return ""
        case .errors(let errors): return errors.joined(separator: "\n")
        case .envelope(let envelope):
            return String(
                decoding: JSONValue.object([
                    "data": .object(envelope.data ?? [:]), "auth": .object(envelope.auth ?? [:]),
                    "warnings": .strings(envelope.warnings),
                ]).serialized(), as: UTF8.self)
        case .raw(let bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }

    var error: String { errors?.joined(separator: "\n") ?? "" }
    var clientToken: String? { auth["client_token"]?.stringValue }
}
