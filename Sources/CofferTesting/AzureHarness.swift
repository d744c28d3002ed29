import AzureAuth
import AzureKit
import CofferCore
import CofferFramework
import KVSecrets
import Logging

/// A ``CoreHarness`` whose catalog holds KV and the Azure auth method (type `azure`). `services` builds the Azure
/// clients; the default, ``OfflineServices``, fails any test that reaches for Azure.
///
/// ```swift
/// let harness = try await AzureHarness.make()
/// await harness.request(.update, "sys/auth/azure", ["type": "azure"])
/// ```
public struct AzureHarness: Sendable {
    public let base: CoreHarness
    public var core: Core { base.core }
    public var rootToken: String { base.rootToken }

    public static func make(
        environment: [String: String] = [:], rotation: AzureRotationKnobs = AzureRotationKnobs(),
        services: @escaping @Sendable () -> any AzureServicesFactory = { OfflineServices() }
    ) async throws -> AzureHarness {
        let azure = AzureAuthMethod.factory(
            environment: environment, logger: Logger(label: "test"), rotation: rotation,
            makeServicesFactory: services)
        return AzureHarness(base: try await CoreHarness.make(catalog: KVBackend.factories + [azure]))
    }

    /// Sends one request as the root token unless `token` names another.
    @discardableResult
    public func request(
        _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:], token: String? = nil,
        remoteAddress: String = "127.0.0.1"
    ) async -> CoreResponse {
        await base.request(operation, path, data, token: token, remoteAddress: remoteAddress)
    }
}
