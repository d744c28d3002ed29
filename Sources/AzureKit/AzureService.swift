/// Which Azure service an ``AzureHTTP`` call reaches: the `<service>` of `coffer_azure_<service>_requests_total`
/// and `coffer_azure_<service>_request_duration_seconds` (docs/metrics.md). A fixed set, so no URL, resource id or
/// client id ever becomes part of a metric.
///
/// ```swift
/// let response = try await http.send(.GET, url, call: "JWKS", service: .jwks)
/// ```
public enum AzureService: String, Sendable {
    /// Azure Resource Manager.
    case arm
    /// Microsoft Graph.
    case graph
    /// Entra ID signing keys.
    case jwks
    /// Entra ID OpenID discovery documents.
    case discovery
    /// Entra ID's token endpoint (client credentials, assertions).
    case token
    /// The instance metadata service or another managed identity endpoint.
    case imds
    /// Anything not named above.
    case other
}
