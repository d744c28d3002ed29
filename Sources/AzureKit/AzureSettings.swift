/// The effective Azure settings of one auth configuration: stored values first, then the server's
/// environment variables (docs/azure-auth.md § Settings and environment variables).
///
/// ```swift
/// let settings = try AzureSettings.resolve(tenantID: stored.tenantID, resource: stored.resource,
///                                          environment: ProcessInfo.processInfo.environment)
/// settings.cloud.resourceManagerEndpoint   // "https://management.azure.com"
/// ```
public struct AzureSettings: Sendable, Equatable {
    public var tenantID: String
    public var resource: String
    public var clientID: String
    public var clientSecret: String
    /// True when the secret came from `AZURE_CLIENT_SECRET` rather than the stored config; a stored
    /// `identity_token_audience` outranks such a secret (docs/azure-auth.md § Settings and environment variables).
    public var clientSecretFromEnvironment: Bool
    public var cloud: AzureCloud
    public var identityTokenAudience: String
    /// Seconds; 3600 unless configured.
    public var identityTokenTTL: Int
    public var retry: AzureRetryPolicy

    public init(
        tenantID: String, resource: String, clientID: String = "", clientSecret: String = "",
        clientSecretFromEnvironment: Bool = false, cloud: AzureCloud = .publicCloud, identityTokenAudience: String = "",
        identityTokenTTL: Int = 3600, retry: AzureRetryPolicy = .default
    ) {
        self.tenantID = tenantID
        self.resource = resource
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.clientSecretFromEnvironment = clientSecretFromEnvironment
        self.cloud = cloud
        self.identityTokenAudience = identityTokenAudience
        self.identityTokenTTL = identityTokenTTL
        self.retry = retry
    }

    /// Resolves stored values (empty = unset) against `AZURE_TENANT_ID`, `AZURE_AD_RESOURCE`, `AZURE_CLIENT_ID`,
    /// `AZURE_CLIENT_SECRET` and `AZURE_ENVIRONMENT`. Throws ``AzureError/configuration(_:)`` with
    /// `tenant_id is required`, `resource is required` or the cloud's error.
    public static func resolve(
        tenantID: String = "", resource: String = "", clientID: String = "", clientSecret: String = "",
        environmentName: String = "", identityTokenAudience: String = "", identityTokenTTL: Int = 3600,
        retry: AzureRetryPolicy = .default, environment: [String: String]
    ) throws(AzureError) -> AzureSettings {
        func pick(_ stored: String, _ variable: String) -> String {
            stored.isEmpty ? environment[variable] ?? "" : stored
        }
        let tenant = pick(tenantID, "AZURE_TENANT_ID")
        guard !tenant.isEmpty else { throw AzureError.configuration("tenant_id is required") }
        let effectiveResource = pick(resource, "AZURE_AD_RESOURCE")
        guard !effectiveResource.isEmpty else { throw AzureError.configuration("resource is required") }
        let cloud = try AzureCloud.named(pick(environmentName, "AZURE_ENVIRONMENT"), environment: environment)
        return AzureSettings(
            tenantID: tenant, resource: effectiveResource, clientID: pick(clientID, "AZURE_CLIENT_ID"),
            clientSecret: pick(clientSecret, "AZURE_CLIENT_SECRET"),
            clientSecretFromEnvironment: clientSecret.isEmpty && !(environment["AZURE_CLIENT_SECRET"] ?? "").isEmpty,
            cloud: cloud, identityTokenAudience: identityTokenAudience, identityTokenTTL: identityTokenTTL,
            retry: retry)
    }
}

extension AzureSettings: CustomStringConvertible {
    /// Never shows the client secret.
    public var description: String {
        "AzureSettings(tenantID: \(tenantID), resource: \(resource), clientID: \(clientID), clientSecret: "
            + (clientSecret.isEmpty ? "<none>" : "<redacted>")
            + ", cloud: \(cloud.name), identityTokenAudience: \(identityTokenAudience))"
    }
}
