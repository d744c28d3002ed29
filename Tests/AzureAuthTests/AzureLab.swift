import AzureAuth
import AzureKit
import AzureSimulator
import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Logging
import Synchronization
import Testing

/// The example estate of `Examples/azure-sim/fixture.json`, by name (the ids live once, in `CofferTesting`).
typealias Sim = ExampleEstate

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
        let simulator = try await AzureSimulator.make(fixture: try fixture ?? Sim.fixture)
        try await simulator.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("azure-lab-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("environment.json")
        try Data(simulator.environment.serialized()).write(to: file)
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

    /// Seals the core first, which ends the mounts' periodic work, so nothing keeps calling a simulator that is gone.
    func stop() async {
        await core.seal()
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
        let fresh = try await AzureSimulator.make(fixture: fixture)
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
        _ edit: (inout [String: JSONValue]) -> Void = { _ in }
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
    /// Every error message joined by newlines ("" when there is none).
    var error: String { errors?.joined(separator: "\n") ?? "" }
}
