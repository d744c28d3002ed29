import Foundation

/// A federated credential: a JWT assertion (Coffer's plugin identity token, or a Kubernetes projected
/// service-account token) exchanged at Entra's token endpoint.
///
/// ```swift
/// let wif = ClientAssertionCredential(cloud: cloud, tenantID: tenant, clientID: appID, http: http) {
///     try await pluginTokens.sign(audience: "api://AzureADTokenExchange")
/// }
/// let aks = ClientAssertionCredential.workloadIdentity(tokenFile: "/var/run/secrets/…/token", cloud: cloud,
///                                                      tenantID: tenant, clientID: appID, http: http)
/// ```
public struct ClientAssertionCredential: AzureCredential {
    private let endpoint: EntraTokenEndpoint
    private let clientID: String
    private let assertion: @Sendable () async throws -> String

    public init(
        cloud: AzureCloud, tenantID: String, clientID: String, http: AzureHTTP,
        assertion: @escaping @Sendable () async throws -> String
    ) {
        self.endpoint = EntraTokenEndpoint(cloud: cloud, tenantID: tenantID, http: http)
        self.clientID = clientID
        self.assertion = assertion
    }

    /// AKS workload identity: the projected token file is read again on every token request, because the
    /// kubelet rotates it.
    public static func workloadIdentity(
        tokenFile: String, cloud: AzureCloud, tenantID: String, clientID: String, http: AzureHTTP
    ) -> ClientAssertionCredential {
        ClientAssertionCredential(cloud: cloud, tenantID: tenantID, clientID: clientID, http: http) {
            let contents: String
            do {
                contents = try String(contentsOfFile: tokenFile, encoding: .utf8)
            } catch {
                throw AzureError.configuration("unable to read the federated token file \"\(tokenFile)\": \(error)")
            }
            let token = contents.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty else {
                throw AzureError.configuration("the federated token file \"\(tokenFile)\" is empty")
            }
            return token
        }
    }

    public func token(scope: String) async throws -> AccessToken {
        let jwt = try await assertion()
        return try await endpoint.requestToken(
            form: [
                ("client_id", clientID),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("client_assertion", jwt),
            ], scope: scope, secrets: [jwt])
    }
}
