import AsyncHTTPClient
import AzureKit
import Logging

/// The production Azure services: AzureKit's verifier, credentials and ARM client over one
/// HTTP client per mount (no redirects, timeouts on every call).
///
/// ```swift
/// AzureAuthMethod.factory(environment: env, logger: logger) {
///     AzureKitServicesFactory(environment: env, logger: logger, version: CofferVersion.string)
/// }
/// ```
public final class AzureKitServicesFactory: AzureServicesFactory {
    let client: HTTPClient
    let http: AzureHTTP
    let environment: [String: String]

    public init(environment: [String: String], logger: Logger, version: String) {
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: AzureHTTP.clientConfiguration())
        self.http = AzureHTTP(client: client, version: version, logger: logger, environment: environment)
        self.environment = environment
    }

    public func makeServices(_ settings: AzureSettings) throws -> AzureServices {
        let credential = try AzureCredentials.make(settings: settings, environment: environment, http: http)
        return AzureServices(
            verifier: AzureTokenVerifier(settings: settings, http: http),
            resourceManager: ARMClient(cloud: settings.cloud, credential: credential, http: http, retry: settings.retry)
        )
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
