import AsyncHTTPClient
import CofferJSON
import Foundation

/// Entra ID (login.microsoftonline.com): discovery documents, JWKS, the OAuth2 token endpoints.
///
/// ```text
/// GET  /<tenant>/.well-known/openid-configuration          v1 issuer https://sts.windows.net/<tenant>/
/// GET  /<tenant>/v2.0/.well-known/openid-configuration     v2 issuer <base><tenant>/v2.0
/// GET  /<tenant>/discovery/v2.0/keys  (also /discovery/keys, /common/discovery/keys)
/// POST /<tenant>/oauth2/v2.0/token    client_credentials with client_secret or client_assertion (scope)
/// POST /<tenant>/oauth2/token         the same with resource= (v1 endpoint)
/// ```
extension SimulatorCore {
    func handleEntra(_ request: SimulatorRequest) async -> SimulatorResponse {
        let segments = request.segments
        let tail = segments.dropFirst().joined(separator: "/")
        if segments.first == "common" || segments.first == "organizations" {
            switch tail {
            case "discovery/keys", "discovery/v2.0/keys": return .json(200, state.withLock { $0.keys.jwks() })
            default: break
            }
        }
        guard let reference = segments.first else { return .empty(404) }
        switch tail {
        case ".well-known/openid-configuration", "v2.0/.well-known/openid-configuration", "discovery/keys",
            "discovery/v2.0/keys", "oauth2/v2.0/token", "oauth2/token":
            break
        default:
            return .armError(404, "NotFound", "The simulator has no endpoint at \(request.method) \(request.path).")
        }
        guard let tenant = catalog.tenant(reference) else {
            return entraError(
                400, "invalid_tenant", 90002,
                "Tenant '\(reference)' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."
            )
        }
        switch tail {
        case ".well-known/openid-configuration": return .json(200, discovery(tenant: tenant.tenantId, v2: false))
        case "v2.0/.well-known/openid-configuration": return .json(200, discovery(tenant: tenant.tenantId, v2: true))
        case "discovery/keys", "discovery/v2.0/keys": return .json(200, state.withLock { $0.keys.jwks() })
        default:
            guard request.method == "POST" else {
                return entraError(
                    400, "invalid_request", 900561,
                    "The endpoint only accepts POST requests. Received a \(request.method) request.")
            }
            return await tokenRequest(request, tenant: tenant, v2: tail == "oauth2/v2.0/token")
        }
    }

    func discovery(tenant: String, v2: Bool) -> JSONValue {
        let base = baseURL
        let issuer = v2 ? "\(base)\(tenant)/v2.0" : "https://sts.windows.net/\(tenant)/"
        let oauth = v2 ? "\(base)\(tenant)/oauth2/v2.0" : "\(base)\(tenant)/oauth2"
        return [
            "issuer": .string(issuer),
            "jwks_uri": .string("\(base)\(tenant)/discovery/v2.0/keys"),
            "token_endpoint": .string("\(oauth)/token"),
            "authorization_endpoint": .string("\(oauth)/authorize"),
            "device_authorization_endpoint": .string("\(oauth)/devicecode"),
            "end_session_endpoint": .string("\(oauth)/logout"),
            "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            "response_modes_supported": ["query", "fragment", "form_post"],
            "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": v2 ? ["openid", "profile", "email", "offline_access"] : ["openid"],
            "claims_supported": [
                "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name",
                "msgraph_host", "aud", "exp", "iat", "auth_time", "acr", "nonce", "tid",
            ],
            "request_uri_parameter_supported": false,
            "http_logout_supported": true,
            "frontchannel_logout_supported": true,
            "tenant_region_scope": "EU",
            "cloud_instance_name": "microsoftonline.com",
            "cloud_graph_host_name": "graph.windows.net",
            "msgraph_host": "graph.microsoft.com",
            "rbac_url": "https://pas.windows.net",
        ]
    }

    /// Entra's error body; the description ends with trace/correlation ids and a timestamp like Azure's.
    func entraError(_ status: Int, _ error: String, _ code: Int, _ text: String) -> SimulatorResponse {
        let trace = UUID().uuidString.lowercased()
        let correlation = UUID().uuidString.lowercased()
        // Entra writes `2006-01-02 15:04:05Z`: RFC 3339 with a space for the `T`.
        let stamp = RFC3339.string(Date(), fraction: .none).replacingOccurrences(of: "T", with: " ")
        return .json(
            status,
            [
                "error": .string(error),
                "error_description": .string(
                    "AADSTS\(code): \(text) Trace ID: \(trace) Correlation ID: \(correlation) Timestamp: \(stamp)"),
                "error_codes": [.int(Int64(code))], "timestamp": .string(stamp), "trace_id": .string(trace),
                "correlation_id": .string(correlation), "error_uri": .string("\(baseURL)error?code=\(code)"),
            ])
    }

    // MARK: Token endpoint

    private func tokenRequest(_ request: SimulatorRequest, tenant: SimulatorFixture.Tenant, v2: Bool) async
        -> SimulatorResponse
    {
        let form = request.form()
        if let failure = checkTokenForm(form, v2: v2) { return failure }
        // checkTokenForm refused an absent or empty client_id and resource, so these are never empty.
        let clientID = form["client_id"] ?? ""
        let requested = form[v2 ? "scope" : "resource"] ?? ""
        let catalog = self.catalog
        guard let client = catalog.client(id: clientID, tenant: tenant) else {
            return entraError(
                400, "unauthorized_client", 700016,
                "Application with identifier '\(clientID)' was not found in the directory '\(tenant.displayName)'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant."
            )
        }
        var authenticatedBy = ""
        if let failure = await authenticate(client, form: form, method: &authenticatedBy) { return failure }
        var resource = ""
        if let failure = tokenResource(requested, v2: v2, tenant: tenant, into: &resource) { return failure }
        var claims = baseClaims(tenant: tenant.tenantId, audience: resource, lifetime: 3599)
        addClientClaims(client, authenticatedBy: authenticatedBy, tenant: tenant, catalog: catalog, to: &claims)
        let token: String
        do {
            token = try sign(claims)
        } catch {
            return entraError(500, "server_error", 90033, "Signing failed: \(error)")
        }
        return tokenResponse(token, claims: claims, resource: resource, v2: v2)
    }

    /// Refuses a token request without `grant_type`, `client_id` or the resource (`scope` on v2),
    /// or with a grant other than client credentials, checked in that order.
    private func checkTokenForm(_ form: [String: String], v2: Bool) -> SimulatorResponse? {
        guard let grantType = form["grant_type"], !grantType.isEmpty else {
            return entraError(
                400, "invalid_request", 900144, "The request body must contain the following parameter: 'grant_type'.")
        }
        guard grantType == "client_credentials" else {
            return entraError(
                400, "unsupported_grant_type", 70003,
                "The app requested an unsupported grant type '\(grantType)'. The simulator supports client_credentials."
            )
        }
        guard let clientID = form["client_id"], !clientID.isEmpty else {
            return entraError(
                400, "invalid_request", 900144, "The request body must contain the following parameter: 'client_id'.")
        }
        let resourceParameter = v2 ? "scope" : "resource"
        guard let requested = form[resourceParameter], !requested.isEmpty else {
            return entraError(
                400, "invalid_request", 900144,
                "The request body must contain the following parameter: '\(resourceParameter)'.")
        }
        return nil
    }

    /// Checks the client's secret or federated assertion; on success `method` is the `appidacr`
    /// claim ("1" secret, "2" assertion).
    private func authenticate(
        _ client: ResourceCatalog.Client, form: [String: String], method: inout String
    ) async -> SimulatorResponse? {
        if let secret = form["client_secret"], !secret.isEmpty {
            guard case .application(let app) = client else {
                return entraError(
                    401, "invalid_client", 7000215,
                    "Invalid client secret provided. Managed identities have no client secrets.")
            }
            if let failure = checkSecret(secret, app: app) { return failure }
            method = "1"
        } else if let assertion = form["client_assertion"], !assertion.isEmpty {
            guard form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" else {
                return entraError(
                    400, "invalid_request", 700010,
                    "Invalid client_assertion_type '\(form["client_assertion_type"] ?? "")'; expected urn:ietf:params:oauth:client-assertion-type:jwt-bearer."
                )
            }
            let credentials: [SimulatorFixture.FederatedCredential]
            switch client {
            case .application(let app): credentials = app.federatedCredentials
            case .managedIdentity(let identity): credentials = identity.federatedCredentials
            }
            if let failure = await checkAssertion(assertion, credentials: credentials) { return failure }
            method = "2"
        } else {
            return entraError(
                401, "invalid_client", 7000216,
                "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.")
        }
        return nil
    }

    /// The resource a token is for: v1's `resource`, or v2's `scope` without its `/.default` suffix;
    /// it must be ARM, Graph, an `api://` URI or an application of the tenant.
    private func tokenResource(
        _ requested: String, v2: Bool, tenant: SimulatorFixture.Tenant, into resource: inout String
    ) -> SimulatorResponse? {
        if v2 {
            guard let scope = requested.split(separator: " ").first(where: { $0.hasSuffix("/.default") }) else {
                return entraError(
                    400, "invalid_scope", 1_002_012,
                    "The provided value for scope \(requested) is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."
                )
            }
            resource = String(scope.dropLast("/.default".count))
        } else {
            resource = requested
        }
        guard isKnownResource(resource, tenant: tenant) else {
            return entraError(
                400, "invalid_resource", 500_011,
                "The resource principal named \(resource) was not found in the tenant named \(tenant.displayName). This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant."
            )
        }
        return nil
    }

    /// The claims naming the client: how it authenticated, its app id, principal and groups.
    private func addClientClaims(
        _ client: ResourceCatalog.Client, authenticatedBy: String, tenant: SimulatorFixture.Tenant,
        catalog: ResourceCatalog, to claims: inout [String: JSONValue]
    ) {
        claims["appidacr"] = .string(authenticatedBy)
        claims["idtyp"] = "app"
        let principal: String
        switch client {
        case .application(let app):
            principal = app.servicePrincipalId
            claims["appid"] = .string(app.appId)
            claims["app_displayname"] = .string(app.displayName)
        case .managedIdentity(let identity):
            principal = identity.principalId
            claims["appid"] = .string(identity.clientId)
            claims["xms_mirid"] = .string(ResourceID.claimForm(identity.id))
        }
        claims["oid"] = .string(principal)
        claims["sub"] = .string(principal)
        let groups = catalog.groups(of: principal, tenant: tenant.tenantId)
        if !groups.isEmpty { claims["groups"] = .strings(groups) }
    }

    /// The token endpoint's success body: v2 gives numbers, v1 gives strings plus `expires_on`,
    /// `not_before` and `resource`.
    private func tokenResponse(
        _ token: String, claims: [String: JSONValue], resource: String, v2: Bool
    ) -> SimulatorResponse {
        if v2 {
            return .json(
                200,
                ["token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": .string(token)])
        }
        let exp = claims["exp"]?.intValue ?? 0
        return .json(
            200,
            [
                "token_type": "Bearer", "expires_in": "3599", "ext_expires_in": "3599",
                "expires_on": .string(String(exp)), "not_before": .string(String(exp - 3599)),
                "resource": .string(resource), "access_token": .string(token),
            ])
    }

    /// ARM and Graph (public names and this simulator's endpoints), `api://` URIs and app ids of the tenant.
    private func isKnownResource(_ resource: String, tenant: SimulatorFixture.Tenant) -> Bool {
        if Self.matchesAudience(resource, armAudiences + graphAudiences) { return true }
        if resource.hasPrefix("api://") { return true }
        return tenant.applications.contains { ResourceID.equal($0.appId, resource) }
    }

    private func checkSecret(_ secret: String, app: SimulatorFixture.Application) -> SimulatorResponse? {
        let matching = app.passwordCredentials.filter { $0.secretText == secret }
        guard let credential = matching.first else {
            return entraError(
                401, "invalid_client", 7_000_215,
                "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '\(app.appId)'."
            )
        }
        if let end = credential.endDateTime.flatMap(Self.parseDate), end < Date() {
            return entraError(
                401, "invalid_client", 7_000_222,
                "The provided client secret keys for app '\(app.appId)' are expired. Visit the Azure portal to create new keys for your app."
            )
        }
        return nil
    }

    static func parseDate(_ text: String) -> Date? { RFC3339.date(text) }

    /// Verifies a workload-identity client assertion against the federated credentials: issuer, subject,
    /// audience, validity window, then the RS256 signature with the issuer's keys.
    private func checkAssertion(_ assertion: String, credentials: [SimulatorFixture.FederatedCredential]) async
        -> SimulatorResponse?
    {
        guard let parsed = try? JWT.parse(assertion) else {
            return entraError(400, "invalid_request", 50027, "JWT token is invalid or malformed.")
        }
        let issuer = parsed.claims["iss"]?.stringValue ?? ""
        let subject = parsed.claims["sub"]?.stringValue ?? ""
        let audiences =
            parsed.claims["aud"]?.arrayValue?.compactMap(\.stringValue)
            ?? parsed.claims["aud"]?.stringValue.map { [$0] } ?? []
        let suffix =
            "Please check your federated identity credential Subject, Audience and Issuer against the presented assertion."
        let byIssuer = credentials.filter { $0.issuer == issuer }
        guard !byIssuer.isEmpty else {
            return entraError(
                400, "invalid_request", 700_211,
                "No matching federated identity record found for presented assertion issuer '\(issuer)'. \(suffix)")
        }
        let bySubject = byIssuer.filter { $0.subject == subject }
        guard !bySubject.isEmpty else {
            return entraError(
                400, "invalid_request", 700_213,
                "No matching federated identity record found for presented assertion subject '\(subject)'. \(suffix)")
        }
        guard let credential = bySubject.first(where: { !Set($0.audiences).isDisjoint(with: audiences) }) else {
            return entraError(
                400, "invalid_request", 700_212,
                "No matching federated identity record found for presented assertion audience '\(audiences.joined(separator: ","))'. \(suffix)"
            )
        }
        let now = Date().timeIntervalSince1970
        let exp = parsed.claims["exp"]?.doubleValue ?? 0
        let nbf = parsed.claims["nbf"]?.doubleValue ?? 0
        guard exp > now, nbf <= now + 300 else {
            return entraError(
                400, "invalid_client", 700_024,
                "Client assertion is not within its valid time range. Current time: \(Self.timestamp()), expiry time of assertion \(Self.timestamp(Date(timeIntervalSince1970: exp)))."
            )
        }
        guard parsed.header["alg"]?.stringValue == "RS256" else {
            return entraError(
                400, "invalid_client", 5_002_738,
                "Invalid JWT token. '\(parsed.header["alg"]?.stringValue ?? "")' is not a supported signature algorithm."
            )
        }
        let jwks: JSONValue
        if let inline = credential.jwks {
            jwks = inline
        } else {
            do {
                jwks = try await Self.fetchJWKS(issuer: credential.issuer)
            } catch {
                return entraError(
                    400, "invalid_client", 50166, "Request to External OIDC endpoint failed: \(error)")
            }
        }
        let kid = parsed.header["kid"]?.stringValue
        let keys = (jwks["keys"]?.arrayValue ?? []).filter { kid == nil || $0["kid"]?.stringValue == kid }
        guard keys.compactMap(JWT.publicKey).contains(where: { JWT.isValid(parsed, key: $0) }) else {
            return entraError(400, "invalid_client", 700_027, "Client assertion failed signature validation.")
        }
        return nil
    }

    /// OIDC discovery of a federated issuer, then its JWKS. Loopback issuers only: the simulator never
    /// leaves the machine.
    static func fetchJWKS(issuer: String) async throws -> JSONValue {
        let trimmed = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        let document = try await fetchJSON(trimmed + "/.well-known/openid-configuration")
        guard let jwksURI = document["jwks_uri"]?.stringValue else {
            throw SimulatorError.invalidArgument("discovery document of \(issuer) has no jwks_uri")
        }
        return try await fetchJSON(jwksURI)
    }

    private static func fetchJSON(_ address: String) async throws -> JSONValue {
        guard let url = URL(string: address), let host = url.host, isLoopback(host) else {
            throw SimulatorError.invalidArgument("refusing to fetch non-loopback URL \(address)")
        }
        _ = url
        // AsyncHTTPClient rather than URLSession: FoundationNetworking would drag libcurl and a dozen
        // libraries into every `coffer` process.
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: address), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        guard response.status.code == 200 else {
            throw SimulatorError.invalidArgument("GET \(address) answered \(response.status.code)")
        }
        return try JSONParser.parse(Data(body.readableBytesView))
    }
}
