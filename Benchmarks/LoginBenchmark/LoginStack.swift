import AsyncHTTPClient
import AzureAuth
import AzureKit
import AzureSimulator
import CofferCore
import CofferFramework
import CofferHTTP
import CofferStorage
import CofferTesting
import Crypto
import Foundation
import KVSecrets
import Logging
import Metrics
import NIOCore

/// Everything the login benchmark drives, in one process on 127.0.0.1: the Azure simulator, a Coffer server
/// built as `coffer server -dev` builds it (with the production Azure services pointed at the simulator
/// through an Azure-Stack environment file), and the bare RS256-verify baseline route.
///
/// ```swift
/// let stack = try await LoginStack.start(fixturePath: "Examples/azure-sim/fixture.json", logger: logger)
/// print(stack.coffer.url, stack.bodies.vmLogin)
/// await stack.stop()
/// ```
///
/// Roles on `auth/azure/`: `sp-role` is bound only by the VM's system-assigned principal (no ARM call at
/// login); `vm-role` by subscription and resource group (one ARM `GET` of the VM per login).
final class LoginStack: Sendable {
    let simulator: AzureSimulator
    let coffer: LoopbackServer
    let verify: LoopbackServer
    let services: AzureKitServicesFactory
    /// The baseline's verifier, the route behind ``verify``.
    let bareVerifier: VerifyResponder
    /// The core behind ``coffer``, for in-process measurements (``MicroBenchmark``).
    let core: Core
    /// The Azure settings `auth/azure/config` resolves to.
    let settings: AzureSettings
    let directory: URL
    /// The request bodies wrk sends, all carrying the VM's managed-identity token.
    let bodies: Bodies
    /// The ARM VM read exactly as Coffer makes it (path and query, from the simulator's log).
    let armVMURL: String
    /// An app-only ARM token of the fixture's app registration, for reading the VM directly.
    let armToken: String

    struct Bodies: Sendable {
        var verify: String
        var servicePrincipalLogin: String
        var vmLogin: String
        var vmName: String
        /// The VM's managed-identity token all three carry.
        var jwt: String
    }

    private init(
        simulator: AzureSimulator, coffer: LoopbackServer, verify: LoopbackServer, services: AzureKitServicesFactory,
        bareVerifier: VerifyResponder, core: Core, settings: AzureSettings, directory: URL, bodies: Bodies,
        armVMURL: String, armToken: String
    ) {
        self.simulator = simulator
        self.coffer = coffer
        self.verify = verify
        self.services = services
        self.bareVerifier = bareVerifier
        self.core = core
        self.settings = settings
        self.directory = directory
        self.bodies = bodies
        self.armVMURL = armVMURL
        self.armToken = armToken
    }

    static func start(fixturePath: String, logger: Logger) async throws -> LoginStack {
        let fixture = try SimulatorFixture.load(path: fixturePath)
        guard let vm = fixture.virtualMachines.first, let principal = vm.systemAssignedIdentity?.principalId,
            let tenant = fixture.tenant(forSubscription: vm.subscriptionId),
            let app = tenant.applications.first(where: { !$0.passwordCredentials.isEmpty }),
            let secret = app.passwordCredentials.first?.secretText
        else {
            throw BenchmarkError(
                "the fixture needs a VM with a system-assigned identity and an app with a client secret")
        }
        let simulator = try AzureSimulator(fixture: fixture)
        try await simulator.start()

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "login-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let environmentFile = directory.appendingPathComponent("azure-environment.json")
        try Data(simulator.environment.serialized()).write(to: environmentFile)
        let environment = ["AZURE_ENVIRONMENT_FILEPATH": environmentFile.path]

        // As CofferServer.runDev: in-memory storage under the barrier, the production catalog.
        let services = AzureKitServicesFactory(environment: environment, logger: logger, version: "login-benchmark")
        var configuration = CoreConfiguration()
        configuration.catalog =
            KVBackend.factories + [AzureAuthMethod.factory(environment: environment, logger: logger) { services }]
        configuration.logger = logger
        // As CofferServer.coreConfiguration for `-dev`: in-memory storage keeps the expiration schedule in memory
        // and writes no expiration index (without these two lines every login here sealed and stored one more
        // key than a dev server's does).
        configuration.storageType = "inmem"
        configuration.persistsExpirationIndex = false
        // As the server does: the core's metrics are the process-wide swift-metrics backend too, so the Azure
        // method's own counters cost what they cost in `coffer server -dev` (not a no-op handler's nothing).
        // Once per process (a second bootstrap traps); each run of this program starts one stack.
        MetricsSystem.bootstrap(configuration.metrics.factory)
        let core = Core(barrier: Barrier(physical: MemoryPhysical()), configuration: configuration)
        let root = try await core.initialize(sealKey: SymmetricKey(size: .bits256))
        func write(_ path: String, _ data: [String: JSONValue]) async throws {
            let response = await core.handle(CoreRequest(operation: .update, path: path, data: data, token: root))
            guard (200..<300).contains(response.status) else {
                throw BenchmarkError("\(path): \(response.status) \(response.body)")
            }
        }
        try await write("sys/auth/azure", ["type": "azure"])
        try await write(
            "auth/azure/config",
            [
                "tenant_id": .string(tenant.tenantId), "resource": .string(AzureSimulator.armTokenAudience),
                "environment": "AzureStackCloud", "client_id": .string(app.appId), "client_secret": .string(secret),
            ])
        try await write("auth/azure/role/sp-role", ["bound_service_principal_ids": .string(principal)])
        try await write(
            "auth/azure/role/vm-role",
            ["bound_subscription_ids": .string(vm.subscriptionId), "bound_resource_groups": .string(vm.resourceGroup)])

        // Cancelling a server logs each open connection as an error; only the HTTP servers' own log is muted.
        var serverLogger = logger
        serverLogger.logLevel = .critical
        let coffer = try await LoopbackServer.start(
            responder: VaultResponder(core: core, logger: logger), logger: serverLogger)
        let bareVerifier = try await VerifyResponder(
            jwks: String(decoding: simulator.jwks().serialized(), as: UTF8.self),
            audience: AzureSimulator.armTokenAudience,
            issuer: "https://sts.windows.net/\(tenant.tenantId)/")
        let verify = try await LoopbackServer.start(responder: bareVerifier, logger: serverLogger)

        let jwt = try simulator.managedIdentityToken(vm: vm.name)
        let bodies = Bodies(
            verify: json(["jwt": jwt]), servicePrincipalLogin: json(["role": "sp-role", "jwt": jwt]),
            vmLogin: json([
                "role": "vm-role", "jwt": jwt, "subscription_id": vm.subscriptionId,
                "resource_group_name": vm.resourceGroup, "vm_name": vm.name,
            ]), vmName: vm.name, jwt: jwt)
        let armToken = try simulator.applicationToken(appID: app.appId)
        do {
            let armURL = try await checkLogins(
                simulator: simulator, coffer: coffer, verify: verify, bodies: bodies, armToken: armToken)
            let settings = try AzureSettings.resolve(
                tenantID: tenant.tenantId, resource: AzureSimulator.armTokenAudience,
                environmentName: "AzureStackCloud",
                environment: environment)
            return LoginStack(
                simulator: simulator, coffer: coffer, verify: verify, services: services, bareVerifier: bareVerifier,
                core: core,
                settings: settings, directory: directory, bodies: bodies, armVMURL: armURL, armToken: armToken)
        } catch {
            await coffer.stop()
            await verify.stop()
            await services.shutdown()
            await simulator.stop()
            try? FileManager.default.removeItem(at: directory)
            throw error
        }
    }

    /// One request of each kind over HTTP, as wrk will send it; throws unless each succeeds and the ARM
    /// traffic is as the roles promise. Returns the ARM VM URL the VM login read.
    private static func checkLogins(
        simulator: AzureSimulator, coffer: LoopbackServer, verify: LoopbackServer, bodies: Bodies, armToken: String
    ) async throws -> String {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        defer { _ = client.shutdown() }
        func post(_ url: String, _ body: String) async throws -> String {
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
            let response = try await client.execute(request, timeout: .seconds(10))
            let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
            guard response.status == .ok else { throw BenchmarkError("POST \(url): \(response.status.code) \(text)") }
            return text
        }
        _ = try await post(verify.url + "/verify", bodies.verify)
        // The first login loads discovery and keys; count ARM reads from a warm cache.
        for body in [bodies.servicePrincipalLogin, bodies.vmLogin] {
            let answer = try await post(coffer.url + "/v1/auth/azure/login", body)
            guard answer.contains("\"client_token\"") else { throw BenchmarkError("login without a token: \(answer)") }
        }
        simulator.resetLog()
        _ = try await post(coffer.url + "/v1/auth/azure/login", bodies.servicePrincipalLogin)
        let servicePrincipalARM = simulator.requestCount(pathContains: "/subscriptions/")
        guard servicePrincipalARM == 0 else {
            throw BenchmarkError("sp-role login made \(servicePrincipalARM) ARM calls, expected none")
        }
        _ = try await post(coffer.url + "/v1/auth/azure/login", bodies.vmLogin)
        let reads = simulator.requestLog().filter { $0.path.contains("/subscriptions/") }
        guard reads.count == 1, let read = reads.first, read.path.contains("/virtualMachines/\(bodies.vmName)") else {
            throw BenchmarkError("vm-role login made ARM calls \(reads.map(\.path)), expected one VM read")
        }
        var components = URLComponents(string: simulator.baseURL)!
        components.path = read.path
        components.queryItems = read.query.sorted { $0.key < $1.key }.map {
            URLQueryItem(name: $0.key, value: $0.value)
        }
        guard let url = components.string else { throw BenchmarkError("cannot rebuild the ARM URL from \(read)") }

        var direct = HTTPClientRequest(url: url)
        direct.headers.add(name: "Authorization", value: "Bearer \(armToken)")
        let response = try await client.execute(direct, timeout: .seconds(10))
        _ = try await response.body.collect(upTo: 1 << 20)
        guard response.status == .ok else { throw BenchmarkError("direct ARM read \(url): \(response.status.code)") }
        simulator.resetLog()
        return url
    }

    func stop() async {
        await coffer.stop()
        await verify.stop()
        await services.shutdown()
        await simulator.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    static func json(_ fields: [String: String]) -> String {
        String(decoding: JSONValue.object(fields.mapValues { .string($0) }).serialized(), as: UTF8.self)
    }
}
