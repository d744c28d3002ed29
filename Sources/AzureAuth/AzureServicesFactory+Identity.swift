import AzureKit

/// Defaults for factories that only build services from settings (test doubles): they cannot use plugin
/// identity tokens or reach Graph, and say so instead of pretending.
///
/// ```swift
/// struct Offline: AzureServicesFactory { func makeServices(_ s: AzureSettings) throws -> AzureServices { … } }
/// try Offline().makeGraph(settings, pluginIdentityToken: nil)   // throws AzureError.configuration
/// ```
extension AzureServicesFactory {
    public func makeServices(_ settings: AzureSettings, pluginIdentityToken: PluginIdentityTokenSource?) throws
        -> AzureServices
    {
        try makeServices(settings)
    }

    public func makeGraph(_ settings: AzureSettings, pluginIdentityToken: PluginIdentityTokenSource?) throws
        -> any AzureGraphManaging
    {
        throw AzureError.configuration("this Azure services factory has no Microsoft Graph client")
    }
}
