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
    public let http: AzureHTTP
    let environment: [String: String]

    public init(environment: [String: String], logger: Logger, version: String) {
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: AzureHTTP.clientConfiguration())
        self.http = AzureHTTP(client: client, version: version, logger: logger, environment: environment)
        self.environment = environment
    }

    public func makeServices(_ settings: AzureSettings) throws -> AzureServices {
        try makeServices(settings, pluginIdentityToken: nil)
    }

    public func makeServices(_ settings: AzureSettings, pluginIdentityToken: PluginIdentityTokenSource?) throws
        -> AzureServices
    {
        let credential = try credential(settings, pluginIdentityToken)
        return AzureServices(
            verifier: AzureTokenVerifier(settings: settings, http: http),
            resourceManager: ARMClient(cloud: settings.cloud, credential: credential, http: http, retry: settings.retry)
        )
    }

    public func makeGraph(_ settings: AzureSettings, pluginIdentityToken: PluginIdentityTokenSource?) throws
        -> any AzureGraphManaging
    {
        try GraphClient(cloud: settings.cloud, credential: try credential(settings, pluginIdentityToken), http: http)
    }

    /// Plugin identity tokens are requested with the configured `identity_token_ttl` (seconds).
    private func credential(_ settings: AzureSettings, _ source: PluginIdentityTokenSource?) throws -> CachingCredential
    {
        let ttl = Int64(settings.identityTokenTTL)
        var mintForAudience: (@Sendable (String) async throws -> String)?
        if let source { mintForAudience = { audience in try await source(audience, ttl) } }
        return try AzureCredentials.make(
            settings: settings, environment: environment, http: http, pluginIdentityToken: mintForAudience)
    }

    public func shutdown() async {
        try? await client.shutdown()
    }
}
