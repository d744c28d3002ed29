import AsyncHTTPClient
import AzureSimulator
import Foundation
import Logging
import Synchronization

@testable import AzureKit

/// The estate every simulator-backed test runs against.
enum Estate {
    static let tenant = "11111111-1111-1111-1111-111111111111"
    static let otherTenant = "99999999-9999-9999-9999-999999999999"
    static let subscription = "22222222-2222-2222-2222-222222222222"
    static let appID = "33333333-3333-3333-3333-333333333333"
    static let appObjectID = "44444444-4444-4444-4444-444444444444"
    static let appPrincipalID = "55555555-5555-5555-5555-555555555555"
    static let secret = "s3cr3t-value-never-logged"
    static let vmPrincipal = "aaaaaaaa-0000-0000-0000-000000000001"
    static let sitePrincipal = "aaaaaaaa-0000-0000-0000-000000000002"
    static let uniformPrincipal = "aaaaaaaa-0000-0000-0000-000000000003"
    static let siteID = "/subscriptions/\(subscription)/resourceGroups/rg-web/providers/Microsoft.Web/sites/app1"
    static let appServiceHeader = "app-service-header-secret"

    static func identityID(_ name: String, group: String = "rg-id") -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/\(name)"
    }

    static func principal(_ index: Int) -> String { String(format: "bbbbbbbb-0000-0000-0000-%012d", index) }
    static func client(_ index: Int) -> String { String(format: "cccccccc-0000-0000-0000-%012d", index) }

    /// Five identities in `rg-id` (pages of two), a VM with system + user identities, a uniform and a flexible
    /// scale set, an App Service site, and the `Microsoft.Web` provider.
    static var fixture: SimulatorFixture {
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
        _ edit: (inout [String: SimulatorJSON]) -> Void = { _ in }, audience: String = AzureSimulator.armTokenAudience,
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
    let simulator = try AzureSimulator(fixture: fixture)
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
