/// Chooses the credential Coffer uses to call ARM and Graph for one configuration (docs/azure-auth.md § Credentials).
///
/// ```swift
/// let credential = try AzureCredentials.make(settings: settings, environment: ProcessInfo.processInfo.environment,
///                                            http: http, pluginIdentityToken: { audience in try await sign(audience) })
/// ```
///
/// First match wins: a stored client secret; plugin workload identity federation (`identity_token_audience`,
/// which outranks an `AZURE_CLIENT_SECRET` variable); a client secret from `AZURE_CLIENT_SECRET`; AKS workload
/// identity (`AZURE_FEDERATED_TOKEN_FILE` with a client id and tenant); the host's managed identity. The result
/// caches tokens (``CachingCredential``).
public enum AzureCredentials {
    public static func make(
        settings: AzureSettings, environment: [String: String], http: AzureHTTP,
        pluginIdentityToken: (@Sendable (_ audience: String) async throws -> String)? = nil
    ) throws(AzureError) -> CachingCredential {
        let base: any AzureCredential
        if !settings.clientSecret.isEmpty && !settings.clientSecretFromEnvironment {
            base = secret(settings, http)
        } else if !settings.identityTokenAudience.isEmpty {
            guard let pluginIdentityToken else {
                throw AzureError.configuration(
                    "identity_token_audience is set but this server cannot issue plugin identity tokens")
            }
            guard !settings.clientID.isEmpty else {
                throw AzureError.configuration("client_id is required with identity_token_audience")
            }
            let audience = settings.identityTokenAudience
            base = ClientAssertionCredential(
                cloud: settings.cloud, tenantID: settings.tenantID, clientID: settings.clientID, http: http
            ) { try await pluginIdentityToken(audience) }
        } else if !settings.clientSecret.isEmpty {
            base = secret(settings, http)
        } else if let file = environment["AZURE_FEDERATED_TOKEN_FILE"], !file.isEmpty, !settings.clientID.isEmpty {
            base = ClientAssertionCredential.workloadIdentity(
                tokenFile: file, cloud: settings.cloud, tenantID: settings.tenantID, clientID: settings.clientID,
                http: http)
        } else {
            base = ManagedIdentityCredential(environment: environment, http: http)
        }
        return CachingCredential(base)
    }

    private static func secret(_ settings: AzureSettings, _ http: AzureHTTP) -> ClientSecretCredential {
        ClientSecretCredential(
            cloud: settings.cloud, tenantID: settings.tenantID, clientID: settings.clientID,
            clientSecret: settings.clientSecret, http: http)
    }
}
