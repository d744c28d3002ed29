import Foundation

/// Where ``AzureAuthLogin`` gets its Azure access token, chosen from the environment in this order.
///
/// ```swift
/// let source = try AzureCredentialSource.select(jwt: nil, environment: ProcessInfo.processInfo.environment)
/// if case .imds(let host) = source { print("IMDS at \(host)") }
/// ```
public enum AzureCredentialSource: Sendable, Equatable {
    /// A token given by the caller; login fields come from its `xms_az_rid` / `xms_mirid` claims.
    case explicitJWT(String)
    /// AKS workload identity: the projected service-account token in `tokenFile` is exchanged at
    /// `<authorityHost><tenantID>/oauth2/v2.0/token` for an access token of `clientID`.
    case workloadIdentity(tokenFile: String, clientID: String, tenantID: String, authorityHost: String)
    /// App Service / Functions: `GET <endpoint>?api-version=2019-08-01` with `X-IDENTITY-HEADER`.
    case appService(endpoint: String, header: String)
    /// Azure Arc: `GET <endpoint>?api-version=2020-06-01`, answering a challenge file.
    case arc(endpoint: String)
    /// The Instance Metadata Service at `host` (VMs, scale sets, ACI).
    case imds(host: String)

    public static let imdsHost = "http://169.254.169.254"
    public static let publicCloudAuthority = "https://login.microsoftonline.com/"

    /// The first source `environment` offers; throws when a variable that selects it is malformed.
    public static func select(jwt: String?, environment: [String: String]) throws -> AzureCredentialSource {
        func value(_ name: String) -> String? {
            environment[name].flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        }
        if let jwt { return .explicitJWT(jwt) }
        if let file = value("AZURE_FEDERATED_TOKEN_FILE"), let client = value("AZURE_CLIENT_ID"),
            let tenant = value("AZURE_TENANT_ID")
        {
            var authority = value("AZURE_AUTHORITY_HOST") ?? publicCloudAuthority
            try checkURL(authority, variable: "AZURE_AUTHORITY_HOST")
            if !authority.hasSuffix("/") { authority += "/" }
            return .workloadIdentity(tokenFile: file, clientID: client, tenantID: tenant, authorityHost: authority)
        }
        if let endpoint = value("IDENTITY_ENDPOINT") {
            try checkURL(endpoint, variable: "IDENTITY_ENDPOINT")
            if let header = value("IDENTITY_HEADER") { return .appService(endpoint: endpoint, header: header) }
            if value("IMDS_ENDPOINT") != nil { return .arc(endpoint: endpoint) }
        }
        var host = value("AZURE_POD_IDENTITY_AUTHORITY_HOST") ?? imdsHost
        try checkURL(host, variable: "AZURE_POD_IDENTITY_AUTHORITY_HOST")
        while host.hasSuffix("/") { host.removeLast() }
        return .imds(host: host)
    }

    private static func checkURL(_ text: String, variable: String) throws {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""),
            url.host?.isEmpty == false
        else {
            throw AzureAuthLoginError(.configuration, "\(variable) must be an http:// or https:// URL, not \"\(text)\"")
        }
    }

    // MARK: - Getting the token and fields

    func credentials(
        resource: String, identity: AzureAuthLogin.Identity?, environment: [String: String], http: AzureEndpointClient
    ) async throws
        -> AzureAuthLogin.Credentials
    {
        switch self {
        case .explicitJWT(let jwt):
            return .init(
                source: self, jwt: jwt, fields: AzureResourceFields.fields(fromToken: jwt, includeResource: true))
        case .workloadIdentity(let file, let client, let tenant, let authority):
            let jwt = try await workloadIdentityToken(
                file: file, clientID: try Self.workloadClientID(client, identity), tenant: tenant,
                authority: authority, resource: resource, http: http)
            // Only where the identity lives: a federated token proves no VM or other resource.
            return .init(
                source: self, jwt: jwt, fields: AzureResourceFields.fields(fromToken: jwt, includeResource: false))
        case .appService(let endpoint, let header):
            return try await appServiceCredentials(
                endpoint: endpoint, header: header, resource: resource, identity: identity, environment: environment,
                http: http)
        case .arc(let endpoint):
            guard identity == nil else {
                throw AzureAuthLoginError(.configuration, "Azure Arc offers only the system-assigned identity")
            }
            let jwt = try await arcToken(endpoint: endpoint, resource: resource, http: http)
            return .init(
                source: self, jwt: jwt, fields: AzureResourceFields.fields(fromToken: jwt, includeResource: true))
        case .imds(let host):
            return try await imdsCredentials(host: host, resource: resource, identity: identity, http: http)
        }
    }

    private static func workloadClientID(_ client: String, _ identity: AzureAuthLogin.Identity?) throws -> String {
        switch identity {
        case nil: return client
        case .clientID(let chosen)?: return chosen
        case .objectID?, .resourceID?:
            throw AzureAuthLoginError(.configuration, "AKS workload identity selects an identity by client_id only")
        }
    }

    private func workloadIdentityToken(
        file: String, clientID: String, tenant: String, authority: String, resource: String,
        http: AzureEndpointClient
    ) async throws -> String {
        // Read on every login: the kubelet rotates the projected token.
        guard let data = FileManager.default.contents(atPath: file) else {
            throw AzureAuthLoginError(.accessToken, "cannot read AZURE_FEDERATED_TOKEN_FILE \(file)")
        }
        let assertion = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !assertion.isEmpty else {
            throw AzureAuthLoginError(.accessToken, "AZURE_FEDERATED_TOKEN_FILE \(file) is empty")
        }
        let url = "\(authority)\(tenant)/oauth2/v2.0/token"
        let answer = try await http.postForm(
            url,
            form: [
                ("grant_type", "client_credentials"), ("client_id", clientID), ("client_assertion", assertion),
                ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                ("scope", resource + "/.default"),
            ], endpoint: "Entra ID token endpoint")
        return try Self.accessToken(answer, endpoint: "Entra ID token endpoint \(url)")
    }

    private func appServiceCredentials(
        endpoint: String, header: String, resource: String, identity: AzureAuthLogin.Identity?,
        environment: [String: String], http: AzureEndpointClient
    ) async throws -> AzureAuthLogin.Credentials {
        var query = [("api-version", "2019-08-01"), ("resource", resource)]
        switch identity {
        case .clientID(let value)?: query.append(("client_id", value))
        case .objectID(let value)?: query.append(("principal_id", value))
        case .resourceID(let value)?: query.append(("mi_res_id", value))
        case nil: break
        }
        let answer = try await http.get(
            Self.join(endpoint, query), headers: [("X-IDENTITY-HEADER", header), ("Accept", "application/json")],
            endpoint: "App Service identity endpoint")
        let jwt = try Self.accessToken(answer, endpoint: "App Service identity endpoint")
        let fields: [String: String]
        if let owner = environment["WEBSITE_OWNER_NAME"], let subscription = owner.split(separator: "+").first,
            !subscription.isEmpty, let group = environment["WEBSITE_RESOURCE_GROUP"], !group.isEmpty,
            let site = environment["WEBSITE_SITE_NAME"], !site.isEmpty
        {
            fields = [
                "subscription_id": String(subscription), "resource_group_name": group,
                "resource_id":
                    "/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.Web/sites/\(site)",
            ]
        } else {
            fields = AzureResourceFields.fields(fromToken: jwt, includeResource: true)
        }
        guard fields["resource_id"] != nil else {
            throw AzureAuthLoginError(
                .instanceMetadata,
                "cannot tell the App Service resource: set WEBSITE_OWNER_NAME, WEBSITE_RESOURCE_GROUP and WEBSITE_SITE_NAME, or use an identity whose token names the site (xms_mirid)"
            )
        }
        return .init(source: self, jwt: jwt, fields: fields)
    }

    /// Arc's local endpoint first answers 401 naming a key file only the machine's administrators (and
    /// the agent's group) can read; presenting its content proves local access.
    private func arcToken(endpoint: String, resource: String, http: AzureEndpointClient) async throws -> String {
        let url = Self.join(endpoint, [("api-version", "2020-06-01"), ("resource", resource)])
        let name = "Azure Arc identity endpoint"
        let challenge = try await http.get(url, headers: [("Metadata", "true")], endpoint: name)
        guard challenge.status == 401 else { return try Self.accessToken(challenge, endpoint: name) }
        let header = challenge.headers.first(name: "WWW-Authenticate") ?? ""
        guard let realm = header.range(of: "realm=", options: .caseInsensitive) else {
            throw AzureAuthLoginError(.accessToken, "\(name) answered 401 without a challenge file")
        }
        let path = String(header[realm.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: "\" "))
        guard path.hasSuffix(".key") else {
            throw AzureAuthLoginError(.accessToken, "\(name) named an unexpected challenge file \(path)")
        }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
        guard let size, size <= 4096, let data = FileManager.default.contents(atPath: path) else {
            throw AzureAuthLoginError(.accessToken, "cannot read the Azure Arc challenge file \(path)")
        }
        let secret = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let answer = try await http.get(
            url, headers: [("Metadata", "true"), ("Authorization", "Basic \(secret)")], endpoint: name)
        return try Self.accessToken(answer, endpoint: name)
    }

    private func imdsCredentials(
        host: String, resource: String, identity: AzureAuthLogin.Identity?, http: AzureEndpointClient
    ) async throws -> AzureAuthLogin.Credentials {
        var query = [("api-version", "2018-02-01"), ("resource", resource)]
        switch identity {
        case .clientID(let value)?: query.append(("client_id", value))
        case .objectID(let value)?: query.append(("object_id", value))
        case .resourceID(let value)?: query.append(("msi_res_id", value))
        case nil: break
        }
        let tokenAnswer = try await http.get(
            Self.join(host + "/metadata/identity/oauth2/token", query), headers: [("Metadata", "true")],
            endpoint: "IMDS")
        let jwt = try Self.accessToken(tokenAnswer, endpoint: "IMDS")

        let instance = try await http.get(
            host + "/metadata/instance?api-version=2021-05-01", headers: [("Metadata", "true")], endpoint: "IMDS",
            step: .instanceMetadata)
        // Azure Container Instances have the token endpoint but no instance metadata.
        if instance.status == 404 { return .init(source: self, jwt: jwt, fields: [:]) }
        guard instance.status == 200, let compute = instance.json?["compute"]?.objectValue else {
            throw AzureAuthLoginError(
                .instanceMetadata, "IMDS answered \(instance.status): \(Self.excerpt(instance.text))")
        }
        var fields: [String: String] = [:]
        for (field, key) in [
            ("vm_name", "name"), ("vmss_name", "vmScaleSetName"), ("subscription_id", "subscriptionId"),
            ("resource_group_name", "resourceGroupName"),
        ] {
            if let value = compute[key]?.stringValue, !value.isEmpty { fields[field] = value }
        }
        return .init(source: self, jwt: jwt, fields: fields)
    }

    // MARK: -

    /// `access_token` of a 200 answer; otherwise an error with the endpoint's own explanation.
    private static func accessToken(_ answer: AzureEndpointClient.Answer, endpoint: String) throws -> String {
        let json = answer.json
        if answer.status == 200, let token = json?["access_token"]?.stringValue, !token.isEmpty { return token }
        var reason = excerpt(answer.text)
        if let code = json?["error"]?.stringValue {
            // Entra ID and IMDS: {"error", "error_description"}; the Go helper's wording.
            reason = "\(code) error from Azure token endpoint: \(json?["error_description"]?.stringValue ?? "")"
        } else if let message = json?["message"]?.stringValue ?? json?["error"]?["message"]?.stringValue {
            reason = message  // App Service: {"statusCode", "message"} or {"error": {"code", "message"}}
        }
        if answer.status == 200 { reason = "the answer has no access_token" }
        throw AzureAuthLoginError(.accessToken, "\(endpoint) answered \(answer.status): \(reason)")
    }

    private static func join(_ endpoint: String, _ query: [(String, String)]) -> String {
        endpoint + (endpoint.contains("?") ? "&" : "?") + AzureEndpointClient.query(query)
    }

    private static func excerpt(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return trimmed.count > 300 ? String(trimmed.prefix(300)) + "…" : trimmed
    }
}
