/// An application's client secret, exchanged at Entra's token endpoint (docs/azure-auth.md § Credentials).
///
/// ```swift
/// let credential = ClientSecretCredential(cloud: cloud, tenantID: tenant, clientID: appID, clientSecret: secret, http: http)
/// let token = try await credential.token(scope: cloud.armScope)
/// ```
public struct ClientSecretCredential: AzureCredential {
    private let endpoint: EntraTokenEndpoint
    private let clientID: String
    private let clientSecret: String

    public init(cloud: AzureCloud, tenantID: String, clientID: String, clientSecret: String, http: AzureHTTP) {
        self.endpoint = EntraTokenEndpoint(cloud: cloud, tenantID: tenantID, http: http)
        self.clientID = clientID
        self.clientSecret = clientSecret
    }

    public func token(scope: String) async throws -> AccessToken {
        try await endpoint.requestToken(
            form: [("client_id", clientID), ("client_secret", clientSecret)], scope: scope, secrets: [clientSecret])
    }
}
