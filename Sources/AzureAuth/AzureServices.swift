import AzureKit

/// What logins under one configuration use to talk to Azure.
public struct AzureServices: Sendable {
    public var verifier: any AzureTokenVerifying
    public var resourceManager: any AzureResourceManaging
    /// API versions for `resource_id` logins, cached while this configuration lasts.
    public var apiVersions: ARMAPIVersionResolver

    public init(verifier: any AzureTokenVerifying, resourceManager: any AzureResourceManaging) {
        self.verifier = verifier
        self.resourceManager = resourceManager
        self.apiVersions = ARMAPIVersionResolver(arm: resourceManager)
    }
}

/// Builds the Azure services for resolved settings. The production factory uses AzureKit's HTTP
/// clients against the configured cloud; one instance lives as long as its mount.
public protocol AzureServicesFactory: Sendable {
    func makeServices(_ settings: AzureSettings) throws -> AzureServices
    /// The services with Coffer's plugin identity tokens available for workload identity federation.
    func makeServices(_ settings: AzureSettings, pluginIdentityToken: PluginIdentityTokenSource?) throws
        -> AzureServices
    /// A Graph client with the same credential choice, for `rotate-root`.
    func makeGraph(_ settings: AzureSettings, pluginIdentityToken: PluginIdentityTokenSource?) throws
        -> any AzureGraphManaging
    /// Releases HTTP clients when the mount goes away.
    func shutdown() async
}

/// Mints a plugin identity token of this server for an audience and a TTL in seconds (WIF).
public typealias PluginIdentityTokenSource = @Sendable (_ audience: String, _ ttl: Int64) async throws -> String
