import Foundation

/// The managed identity of the host Coffer runs on (docs/azure-auth.md § Credentials): the App
/// Service / Functions endpoint when `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` are set, else IMDS, whose
/// host `AZURE_POD_IDENTITY_AUTHORITY_HOST` overrides.
///
/// ```swift
/// let credential = ManagedIdentityCredential(environment: ProcessInfo.processInfo.environment, http: http)
/// let token = try await credential.token(scope: "https://management.core.windows.net/.default")
/// ```
public struct ManagedIdentityCredential: AzureCredential {
    public enum Source: Sendable, Equatable {
        /// App Service / Functions: `GET <endpoint>?api-version=2019-08-01&resource=…` with `X-IDENTITY-HEADER`.
        case appService(endpoint: String, header: String)
        /// IMDS: `GET <endpoint>?api-version=2018-02-01&resource=…` with `Metadata: true`.
        case imds(endpoint: String)
    }

    public static let imdsEndpoint = "http://169.254.169.254/metadata/identity/oauth2/token"

    public let source: Source
    private let http: AzureHTTP

    public init(source: Source, http: AzureHTTP) {
        self.source = source
        self.http = http
    }

    public init(environment: [String: String], http: AzureHTTP) {
        self.init(source: Self.source(environment: environment), http: http)
    }

    /// Which endpoint the environment selects.
    public static func source(environment: [String: String]) -> Source {
        if let endpoint = environment["IDENTITY_ENDPOINT"], !endpoint.isEmpty,
            let header = environment["IDENTITY_HEADER"], !header.isEmpty
        {
            return .appService(endpoint: endpoint, header: header)
        }
        if let host = environment["AZURE_POD_IDENTITY_AUTHORITY_HOST"], !host.isEmpty {
            return .imds(endpoint: AzureURL.join(host, "metadata/identity/oauth2/token"))
        }
        return .imds(endpoint: imdsEndpoint)
    }

    public func token(scope: String) async throws -> AccessToken {
        let call = "managed identity token endpoint"
        let resource = scope.hasSuffix("/.default") ? String(scope.dropLast("/.default".count)) : scope
        let url: String
        let headers: [(String, String)]
        let secret: String
        switch source {
        case .appService(let endpoint, let header):
            url = endpoint + "?" + AzureURL.query([("api-version", "2019-08-01"), ("resource", resource)])
            headers = [("X-IDENTITY-HEADER", header), ("Accept", "application/json")]
            secret = header
        case .imds(let endpoint):
            url = endpoint + "?" + AzureURL.query([("api-version", "2018-02-01"), ("resource", resource)])
            headers = [("Metadata", "true"), ("Accept", "application/json")]
            secret = ""
        }
        let requested = Date()
        let response = try await http.send(.GET, url, headers: headers, call: call, service: .imds)
        guard response.status == 200 else {
            var detail = AzureErrorBody.summary(response)
            if !secret.isEmpty { detail = detail.replacingOccurrences(of: secret, with: "[redacted]") }
            throw AzureError.upstream(call: call, status: response.status, detail: detail)
        }
        return try TokenResponse.decode(response, call: call, requested: requested)
    }
}
