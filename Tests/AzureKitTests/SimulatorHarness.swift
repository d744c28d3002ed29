import AsyncHTTPClient
import AzureSimulator
import CofferTesting
import Foundation
import Logging
import Synchronization

@testable import AzureKit

/// The estate every simulator-backed test runs against.
typealias Estate = SyntheticEstate

/// A started simulator plus the production HTTP plumbing pointed at it.
struct SimulatorHarness {
    let simulator: AzureSimulator
    let client: HTTPClient
    let http: AzureHTTP
    let cloud: AzureCloud
    let logs: LogCapture

    var base: String { simulator.baseURL }

    func verifier(resource: String = AzureSimulator.armTokenAudience, refetchInterval: Duration = .seconds(60))
        -> AzureTokenVerifier
    {
        AzureTokenVerifier(
            cloud: cloud, tenantID: Estate.tenant, resource: resource, http: http, keyRefetchInterval: refetchInterval)
    }

    func secretCredential(secret: String = Estate.secret) -> ClientSecretCredential {
        ClientSecretCredential(
            cloud: cloud, tenantID: Estate.tenant, clientID: Estate.appID, clientSecret: secret, http: http)
    }

    func arm(
        retry: AzureRetryPolicy = AzureRetryPolicy(maxRetries: 2, retryDelay: 0.01, maxRetryDelay: 0.05),
        credential: (any AzureCredential)? = nil
    ) -> ARMClient {
        ARMClient(
            cloud: cloud, credential: credential ?? CachingCredential(secretCredential()), http: http, retry: retry)
    }

    func count(_ pathContains: String, method: String? = nil) -> Int {
        simulator.requestCount(pathContains: pathContains, method: method)
    }

    /// Custom v1 claims for the estate's tenant, signed by the simulator's active key unless told otherwise.
    func token(
        _ edit: (inout [String: JSONValue]) -> Void = { _ in }, audience: String = AzureSimulator.armTokenAudience,
        kid: String? = nil
    ) throws -> String {
        var claims = simulator.standardClaims(tenant: Estate.tenant, audience: audience)
        claims["oid"] = .string(Estate.appPrincipalID)
        claims["appid"] = .string(Estate.appID)
        edit(&claims)
        return try simulator.issueToken(claims: claims, kid: kid)
    }
}

/// Starts a simulator with `fixture`, runs `body`, and always shuts both down.
func withSimulator<T>(
    _ fixture: SimulatorFixture = Estate.fixture, logLevel: Logger.Level = .info, environment: [String: String] = [:],
    _ body: (SimulatorHarness) async throws -> T
) async throws -> T {
    let simulator = try await AzureSimulator.make(fixture: fixture)
    try await simulator.start()
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: AzureHTTP.clientConfiguration())
    let logs = LogCapture()
    var logger = Logger(label: "azurekit-test") { _ in logs }
    logger.logLevel = logLevel
    let base = simulator.baseURL
    let harness = SimulatorHarness(
        simulator: simulator, client: client,
        http: AzureHTTP(client: client, version: "test", logger: logger, environment: environment),
        cloud: try AzureCloud(
            name: "AzureSimulator", activeDirectoryEndpoint: base, resourceManagerEndpoint: base,
            tokenAudience: AzureSimulator.armTokenAudience, microsoftGraphEndpoint: base + "graph/"),
        logs: logs)
    do {
        let result = try await body(harness)
        try await client.shutdown()
        await simulator.stop()
        return result
    } catch {
        try? await client.shutdown()
        await simulator.stop()
        throw error
    }
}

/// Collects log records so tests can check what AzureKit logs (and that no secret is among it).
final class LogCapture: LogHandler, Sendable {
    struct Record: Sendable {
        var level: Logger.Level
        var message: String
        var metadata: [String: String]
    }

    private let records = Mutex<[Record]>([])
    private let settings = Mutex<(Logger.Level, Logger.Metadata)>((.info, [:]))

    var all: [Record] { records.withLock { $0 } }

    /// Every logged message and metadata value, for substring checks.
    var text: String {
        all.map { record in
            record.message + " "
                + record.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                .joined(separator: " ")
        }.joined(separator: "\n")
    }

    func log(event: LogEvent) {
        let merged = settings.withLock { $0.1 }.merging(event.metadata ?? [:]) { $1 }
        records.withLock {
            $0.append(
                Record(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { settings.withLock { $0.1[key] } }
        set { settings.withLock { $0.1[key] = newValue } }
    }

    var metadata: Logger.Metadata {
        get { settings.withLock { $0.1 } }
        set { settings.withLock { $0.1 = newValue } }
    }

    var logLevel: Logger.Level {
        get { settings.withLock { $0.0 } }
        set { settings.withLock { $0.0 = newValue } }
    }
}

/// An HTTP client for tests that need no simulator.
final class AsyncHTTPClientHolder: Sendable {
    let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: AzureHTTP.clientConfiguration())
    var http: AzureHTTP { AzureHTTP(client: client, version: "test", logger: Logger(label: "test")) }

    func shutdown() { try? client.syncShutdown() }
}
