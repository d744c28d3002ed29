// JSON values in the simulator's public API (claims, fixtures, the environment file) are CofferJSON's; re-exported
// so tests and tools that import AzureSimulator can build and read them.
@_exported import CofferJSON
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// A local Azure tenant on loopback: Entra ID (discovery, JWKS, token endpoint), Azure Resource Manager,
/// Microsoft Graph, IMDS and the App Service identity endpoint, all on one HTTP server, for Coffer's tests,
/// benchmarks and `coffer azure-sim`.
///
/// ```swift
/// let simulator = AzureSimulator(fixture: try SimulatorFixture.load(path: "Examples/azure-sim/fixture.json"))
/// try await simulator.start()                       // 127.0.0.1, a free port
/// defer { Task { await simulator.stop() } }
/// let base = simulator.baseURL                      // "http://127.0.0.1:PORT/"
/// let jwt = try simulator.managedIdentityToken(vm: "vm-web", identity: "uami-shared")
/// simulator.injectFault(pathContains: "/virtualMachines/", status: 503, retryAfter: 1, count: 2)
/// simulator.requestCount(pathContains: "/virtualMachines/")
/// ```
///
/// **Layout** (every role shares `baseURL`; endpoints may be joined with or without a trailing `/`):
/// - Entra ID = `activeDirectoryEndpoint` = `<base>`: `<base><tenant>/.well-known/openid-configuration` (v1, issuer
///   `https://sts.windows.net/<tenant>/`), `<base><tenant>/v2.0/.well-known/openid-configuration` (issuer
///   `<base><tenant>/v2.0`), JWKS `<base><tenant>/discovery/v2.0/keys`, tokens `POST <base><tenant>/oauth2/v2.0/token`.
/// - ARM = `resourceManagerEndpoint` = `<base>`: `/subscriptions/…`; bearer tokens for `armTokenAudience`
///   (`https://management.azure.com/`; `https://management.core.windows.net/` and `<base>` are accepted too).
/// - Graph = `microsoftGraphEndpoint` = `<base>graph/`: `/graph/v1.0/applications…` (also `/v1.0/…`); tokens for
///   `<base>graph` or `https://graph.microsoft.com`.
/// - IMDS = `AZURE_POD_IDENTITY_AUTHORITY_HOST` = `<base>` without `/`: `/metadata/identity/oauth2/token`, `/metadata/instance`.
/// - App Service = `IDENTITY_ENDPOINT` = `<base>msi/token` with `IDENTITY_HEADER` = ``appServiceIdentityHeader``.
/// - Control API `<base>_simulator/…` (no auth; see `ControlEndpoints.swift` and `Examples/azure-sim/README.md`).
///
/// **Swift API**: ``start(host:port:)``, ``stop()``, ``baseURL``, ``port``, ``environment``, token issuing
/// (``managedIdentityToken(vm:identity:resource:)``, ``managedIdentityToken(scaleSet:instance:identity:resource:)``,
/// ``managedIdentityToken(resourceID:identity:resource:)``, ``workloadIdentityToken(clientID:audience:)``,
/// ``applicationToken(appID:resource:)``, ``issueToken(claims:kid:signingKeyIndex:)``), keys (``jwks()``,
/// ``rotateSigningKeys()``), faults (``injectFault(pathContains:method:status:retryAfter:delay:count:)``,
/// ``clearFaults()``), the log (``requestLog()``, ``requestCount(pathContains:method:)``, ``resetLog()``),
/// ``setThrottling(enabled:capacity:refillPerSecond:)``, and the estate (``fixture``, ``updateFixture(_:)``,
/// ``setCurrentMachine(_:)``).
public final class AzureSimulator: Sendable {
    let core: SimulatorCore
    private let server = Mutex<(task: Task<Void, any Error>, port: Int)?>(nil)
    private let logger: Logger

    /// Generates three RSA-2048 signing keys (the only expensive step; done once). `logLevel` applies to the
    /// HTTP server's own log; the default keeps it quiet (stopping logs the cancelled connections as errors).
    public convenience init(fixture: SimulatorFixture, logLevel: Logger.Level = .critical) throws {
        try fixture.validate()
        self.init(fixture: fixture, logLevel: logLevel, keys: try SigningKeySet(count: 3))
    }

    /// As ``init(fixture:logLevel:)``, but the keys are generated on a Dispatch thread: RSA key generation is
    /// CPU-bound for a second or more in a debug build, and a process running many tasks at once (a test suite on
    /// two cores) must not have its few cooperative threads held by it while other tasks wait on deadlines.
    public static func make(fixture: SimulatorFixture, logLevel: Logger.Level = .critical) async throws
        -> AzureSimulator
    {
        try fixture.validate()
        let keys = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try SigningKeySet(count: 3) }) }
        }
        return AzureSimulator(fixture: fixture, logLevel: logLevel, keys: keys)
    }

    private init(fixture: SimulatorFixture, logLevel: Logger.Level, keys: SigningKeySet) {
        core = SimulatorCore(fixture: fixture, keys: keys)
        var logger = Logger(label: "azure-simulator")
        logger.logLevel = logLevel
        self.logger = logger
    }

    // MARK: Lifecycle

    /// Binds a loopback address (refuses any other host) and returns the port; `port: 0` picks a free one.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> Int {
        guard SimulatorCore.isLoopback(host) else {
            throw SimulatorError.invalidArgument("the simulator listens on loopback only, not \(host)")
        }
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: SimulatorResponder(core: core),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            }, logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            try await task.value
            throw SimulatorError.notRunning
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        core.state.withLock { $0.baseURL = "http://\(hostPart):\(bound)/" }
        server.withLock { $0 = (task, bound) }
        return bound
    }

    public func stop() async {
        guard
            let running = server.withLock({ current in
                defer { current = nil }; return current
            })
        else { return }
        running.task.cancel()
        _ = try? await running.task.value
    }

    /// `http://127.0.0.1:<port>/` (ends with `/`).
    public var baseURL: String { core.baseURL }

    public var port: Int? { server.withLock { $0?.port } }

    /// The ARM token audience clients should request (`<audience>/.default`).
    public static let armTokenAudience = "https://management.azure.com/"

    /// The Azure-Stack-style environment document (`AZURE_ENVIRONMENT_FILEPATH`) for this simulator.
    public var environment: JSONValue {
        let base = baseURL
        return [
            "name": "AzureSimulator", "activeDirectoryEndpoint": .string(base),
            "resourceManagerEndpoint": .string(base),
            "microsoftGraphEndpoint": .string(base + "graph/"), "tokenAudience": .string(Self.armTokenAudience),
        ]
    }

    /// The secret `/msi/token` requires in `X-IDENTITY-HEADER`.
    public var appServiceIdentityHeader: String { core.state.withLock { $0.appServiceHeader } }

    // MARK: Tokens

    /// A managed-identity token of a VM (by name or id) or a flexible scale-set instance (`<vmss>_<suffix>`).
    /// `identity` picks a user-assigned identity (name, client id, principal id or resource id); nil means the
    /// system identity, else the only user-assigned one, as IMDS chooses.
    public func managedIdentityToken(vm: String, identity: String? = nil, resource: String = armTokenAudience) throws
        -> String
    {
        try token(for: core.catalog.host(named: vm), identity: identity, resource: resource)
    }

    /// A managed-identity token of a scale-set instance (nil: its first instance). Uniform instances name
    /// the scale set in `xms_mirid`/`xms_az_rid`; flexible ones their own VM `<vmss>_<suffix>`.
    public func managedIdentityToken(
        scaleSet: String, instance: String? = nil, identity: String? = nil, resource: String = armTokenAudience
    ) throws -> String {
        try token(
            for: core.catalog.host(scaleSet: scaleSet, instance: instance), identity: identity, resource: resource)
    }

    /// A managed-identity token of another resource (App Service site, Function app, …) by id or name.
    public func managedIdentityToken(resourceID: String, identity: String? = nil, resource: String = armTokenAudience)
        throws -> String
    {
        try token(for: core.catalog.host(resource: resourceID), identity: identity, resource: resource)
    }

    private func token(for host: ResourceCatalog.Host, identity: String?, resource: String) throws -> String {
        do {
            let grant = try core.catalog.grant(on: host, selector: identity.map(ResourceCatalog.Selector.any))
            return try core.managedIdentityToken(grant, resource: resource).token
        } catch let failure as ResourceCatalog.SelectionFailure {
            switch failure {
            case .noIdentity: throw SimulatorError.notFound("\(host.name) has no managed identity")
            case .notFound: throw SimulatorError.notFound("identity \(identity ?? "") on \(host.name)")
            case .ambiguous: throw SimulatorError.ambiguous("\(host.name) has several user-assigned identities")
            }
        }
    }

    /// A v2.0 token (`ver` 2.0, issuer `<base><tenant>/v2.0`, `azp`) as AKS workload identity gets: for an app
    /// registration's app id or a user-assigned identity's client id.
    public func workloadIdentityToken(clientID: String, audience: String) throws -> String {
        try core.workloadIdentityToken(clientID: clientID, audience: audience)
    }

    /// An app-only v1 token of an app registration, like the token endpoint gives for a client secret.
    public func applicationToken(appID: String, resource: String = armTokenAudience) throws -> String {
        try core.applicationToken(appID: appID, resource: resource)
    }

    /// Signs arbitrary claims with `jwks().keys[signingKeyIndex]`; `kid` overrides the header's `kid`/`x5t`.
    public func issueToken(claims: [String: JSONValue], kid: String? = nil, signingKeyIndex: Int = 0) throws
        -> String
    {
        try core.sign(claims, index: signingKeyIndex, kid: kid)
    }

    /// The claims every v1 token of `tenant` carries (`aud`, `iss`, `iat`, `nbf`, `exp`, `aio`, `idp`, `rh`, `tid`,
    /// `uti`, `ver`), to start a custom token from.
    public func standardClaims(tenant: String, audience: String, lifetime: Int = 3599, version: String = "1.0")
        -> [String: JSONValue]
    {
        core.baseClaims(tenant: tenant, audience: audience, lifetime: lifetime, version: version)
    }

    // MARK: Keys

    /// The published JWKS (`{"keys":[…]}`); the first key signs.
    public func jwks() -> JSONValue { core.state.withLock { $0.keys.jwks() } }

    /// Generates a new signing key, makes it the active one and retires the oldest.
    public func rotateSigningKeys() throws {
        let fresh = try SigningKeySet.generate()
        core.state.withLock { state in
            state.keys.rotate(to: fresh)
        }
    }

    // MARK: Faults, log, throttling

    /// The next `count` requests whose path contains `pathContains` (and whose method matches, when given)
    /// wait `delay`, then answer `status` (with `Retry-After` when given) instead of the real answer;
    /// with no status they get the real answer after the delay.
    public func injectFault(
        pathContains: String, method: String? = nil, status: Int? = nil, retryAfter: Int? = nil,
        delay: Duration? = nil, count: Int = 1
    ) {
        let fault = SimulatorCore.Fault(
            pathContains: pathContains, method: method, status: status, retryAfter: retryAfter, delay: delay,
            remaining: count)
        core.state.withLock { $0.faults.append(fault) }
    }

    public func clearFaults() { core.state.withLock { $0.faults.removeAll() } }

    public func requestLog() -> [LoggedRequest] { core.state.withLock { $0.log } }

    public func requestCount(pathContains: String, method: String? = nil) -> Int {
        core.state.withLock { state in
            state.log.filter { entry in
                entry.path.contains(pathContains)
                    && (method.map { $0.caseInsensitiveCompare(entry.method) == .orderedSame } ?? true)
            }.count
        }
    }

    public func resetLog() { core.state.withLock { $0.log.removeAll() } }

    /// Azure's per-subscription ARM read limit: a bucket of `capacity` reads refilled at `refillPerSecond`;
    /// an empty bucket answers 429 with `Retry-After`.
    public func setThrottling(enabled: Bool, capacity: Int = 250, refillPerSecond: Double = 25) {
        core.state.withLock {
            $0.throttle =
                enabled ? SimulatorCore.Throttle(capacity: Double(capacity), refillPerSecond: refillPerSecond) : nil
        }
    }

    // MARK: Estate

    public var fixture: SimulatorFixture { core.state.withLock { $0.fixture } }

    /// Changes the estate at runtime (add a VM, drop an identity, …); the result must still validate.
    public func updateFixture(_ change: (inout SimulatorFixture) throws -> Void) throws {
        try core.state.withLock { state in
            var fixture = state.fixture
            try change(&fixture)
            try fixture.validate()
            state.fixture = fixture
        }
    }

    /// The machine IMDS answers for.
    public func setCurrentMachine(_ machine: SimulatorFixture.CurrentMachine?) {
        core.state.withLock { $0.fixture.currentMachine = machine }
    }
}
