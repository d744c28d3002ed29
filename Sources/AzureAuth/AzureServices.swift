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
    /// Releases HTTP clients when the mount goes away.
    func shutdown() async
}
