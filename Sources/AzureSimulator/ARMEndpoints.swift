import CofferJSON
import Foundation

/// Azure Resource Manager, read-only: resources by id (VMs with `$expand=instanceView`, scale sets,
/// user-assigned identities, any fixture resource), collections in a resource group with `nextLink`
/// paging, and provider metadata.
///
/// ```text
/// GET /subscriptions/<s>/resourceGroups/<rg>/providers/<ns>/<type>/<name>?api-version=…
/// GET /subscriptions/<s>/resourceGroups/<rg>/providers/<ns>/<type>?api-version=…[&$skiptoken=N]
/// GET /subscriptions/<s>/providers/<ns>?api-version=…
/// ```
/// Every call needs `Authorization: Bearer <token issued by this simulator for ARM>` and `api-version`.
extension SimulatorCore {
    /// Token audiences ARM accepts (trailing `/` optional), including the simulator's own base URL.
    var armAudiences: [String] {
        ["https://management.azure.com/", "https://management.core.windows.net/", baseURL]
    }

    var graphAudiences: [String] {
        ["https://graph.microsoft.com/", "00000003-0000-0000-c000-000000000000", baseURL + "graph/"]
    }

    static func matchesAudience(_ audience: String, _ accepted: [String]) -> Bool {
        func trim(_ value: String) -> String {
            value.hasSuffix("/") ? String(value.dropLast()).lowercased() : value.lowercased()
        }
        return accepted.contains { trim($0) == trim(audience) }
    }

    func handleARM(_ request: SimulatorRequest) -> SimulatorResponse {
        let segments = request.segments
        let subscription = segments.count > 1 && segments[0].lowercased() == "subscriptions" ? segments[1] : nil
        let tenant = subscription.flatMap { self.catalog.fixture.tenant(forSubscription: $0)?.tenantId }
        if let failure = authenticateARM(request, subscriptionTenant: tenant) { return failure }
        guard let version = request.query["api-version"], !version.isEmpty else {
            return .armError(
                400, "MissingApiVersionParameter",
                "The api-version query parameter (?api-version=) is required for all requests.")
        }
        guard request.method == "GET" else {
            return .armError(
                405, "MethodNotAllowed",
                "The simulated Resource Manager is read-only; \(request.method) is not supported.")
        }
        guard let subscription else {
            return .armError(404, "NotFound", "The simulator answers only subscription-scoped ARM paths.")
        }
        if let throttled = throttle(subscription: subscription) { return throttled }
        let catalog = self.catalog
        let parts = segments.last == "" ? Array(segments.dropLast()) : segments
        guard !parts.contains("") else {
            return .armError(400, "InvalidRequestUri", "The request URI '\(request.path)' contains an empty segment.")
        }
        guard catalog.subscriptionExists(subscription) else {
            return .armError(404, "SubscriptionNotFound", "The subscription '\(subscription)' could not be found.")
        }
        // /subscriptions/<s>/providers/<namespace>
        if parts.count == 4, parts[2].lowercased() == "providers" {
            return provider(namespace: parts[3], subscription: subscription, catalog: catalog)
        }
        guard parts.count >= 6, parts[2].lowercased() == "resourcegroups", parts[4].lowercased() == "providers" else {
            return .armError(404, "NotFound", "The simulator has no ARM endpoint at \(request.path).")
        }
        let group = parts[3]
        guard catalog.resourceGroupExists(subscription: subscription, group: group) else {
            return .armError(404, "ResourceGroupNotFound", "Resource group '\(group)' could not be found.")
        }
        let typePath = parts[5...]
        if typePath.count % 2 == 0 {
            return list(
                request, subscription: subscription, group: group, typeSegments: Array(typePath), catalog: catalog)
        }
        let id = "/" + parts.joined(separator: "/")
        guard let parsed = ResourceID.parse(id) else {
            return .armError(400, "InvalidResourceId", "The resource id '\(id)' is not valid.")
        }
        if let failure = checkAPIVersion(version, type: parsed, location: nil, catalog: catalog) { return failure }
        guard let object = catalog.object(id: id) else {
            return .armError(
                404, "ResourceNotFound",
                "The Resource '\(parsed.type)/\(parsed.name)' under resource group '\(group)' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix"
            )
        }
        let expand = request.query["$expand"]?.lowercased() == "instanceview"
        return .json(200, object.render(expand), headers: rateHeaders(subscription))
    }

    private func rateHeaders(_ subscription: String) -> [(String, String)] {
        remainingReads(subscription: subscription).map { [("x-ms-ratelimit-remaining-subscription-reads", String($0))] }
            ?? []
    }

    /// 401s in ARM's shapes: missing header, bad token, wrong audience, expired, wrong tenant.
    private func authenticateARM(_ request: SimulatorRequest, subscriptionTenant: String?) -> SimulatorResponse? {
        func reject(_ code: String, _ message: String) -> SimulatorResponse {
            let authority = "\(baseURL)\(subscriptionTenant ?? "common")"
            return .armError(
                401, code, message,
                headers: [
                    (
                        "WWW-Authenticate",
                        "Bearer authorization_uri=\"\(authority)\", error=\"invalid_token\", error_description=\"\(message)\""
                    )
                ])
        }
        guard let authorization = request.header("Authorization") else {
            return reject("AuthenticationFailed", "Authentication failed. The 'Authorization' header is missing.")
        }
        guard authorization.lowercased().hasPrefix("bearer "), authorization.count > 7 else {
            return reject(
                "AuthenticationFailed",
                "Authentication failed. The 'Authorization' header is provided in an invalid format.")
        }
        let token = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let claims = state.withLock({ $0.keys.verify(token) }) else {
            return reject("InvalidAuthenticationToken", "The access token is invalid.")
        }
        let audience = claims["aud"]?.stringValue ?? ""
        guard Self.matchesAudience(audience, armAudiences) else {
            return reject(
                "InvalidAuthenticationTokenAudience",
                "The access token has been obtained for wrong audience or resource '\(audience)'. It should exactly match with one of the allowed audiences 'https://management.core.windows.net/','https://management.core.windows.net','https://management.azure.com/','https://management.azure.com'."
            )
        }
        let exp = claims["exp"]?.doubleValue ?? 0
        if exp < Date().timeIntervalSince1970 {
            return reject(
                "ExpiredAuthenticationToken",
                "The access token expiry UTC time '\(Self.timestamp(Date(timeIntervalSince1970: exp)))' is earlier than current UTC time '\(Self.timestamp())'."
            )
        }
        let tenant = claims["tid"]?.stringValue ?? ""
        if let subscriptionTenant, !ResourceID.equal(subscriptionTenant, tenant) {
            return reject(
                "InvalidAuthenticationTokenTenant",
                "The access token is from the wrong issuer '\(claims["iss"]?.stringValue ?? "")'. It must match the tenant 'https://sts.windows.net/\(subscriptionTenant)/' associated with this subscription. Please use the authority (URL) '\(baseURL)\(subscriptionTenant)' to get the token."
            )
        }
        return nil
    }

    /// When the fixture declares the resource type, `api-version` must be one it lists, as in Azure.
    private func checkAPIVersion(_ version: String, type: ResourceID, location: String?, catalog: ResourceCatalog)
        -> SimulatorResponse?
    {
        let typeName = type.typeSegments.joined(separator: "/")
        guard
            let provider = catalog.fixture.providers.first(where: { ResourceID.equal($0.namespace, type.namespace) }),
            let entry = provider.resourceTypes.first(where: { ResourceID.equal($0.resourceType, typeName) })
        else { return nil }
        if entry.apiVersions.contains(version) { return nil }
        return .armError(
            400, "NoRegisteredProviderFound",
            "No registered resource provider found for location '\(location ?? entry.locations.first?.lowercased() ?? "")' and API version '\(version)' for type '\(typeName)'. The supported api-versions are '\(entry.apiVersions.joined(separator: ", "))'. The supported locations are '\(entry.locations.joined(separator: ", "))'."
        )
    }

    private func provider(namespace: String, subscription: String, catalog: ResourceCatalog) -> SimulatorResponse {
        guard let provider = catalog.fixture.providers.first(where: { ResourceID.equal($0.namespace, namespace) })
        else {
            return .armError(404, "InvalidResourceNamespace", "The resource namespace '\(namespace)' is invalid.")
        }
        let types: [JSONValue] = provider.resourceTypes.map { type in
            [
                "resourceType": .string(type.resourceType), "locations": .strings(type.locations),
                "apiVersions": .strings(type.apiVersions),
                "defaultApiVersion": .optional(type.apiVersions.first { !$0.contains("preview") }),
                "capabilities": "None",
            ]
        }
        return .json(
            200,
            [
                "id": .string("/subscriptions/\(subscription)/providers/\(provider.namespace)"),
                "namespace": .string(provider.namespace), "registrationState": "Registered",
                "registrationPolicy": "RegistrationRequired", "resourceTypes": .array(types),
            ], headers: rateHeaders(subscription))
    }

    /// A resource-group collection, `listPageSize` per page; `nextLink` carries `$skiptoken`.
    private func list(
        _ request: SimulatorRequest, subscription: String, group: String, typeSegments: [String],
        catalog: ResourceCatalog
    ) -> SimulatorResponse {
        let namespace = typeSegments[0]
        let type = ([namespace] + typeSegments.dropFirst()).joined(separator: "/")
        let matching = catalog.objects().filter {
            ResourceID.equal($0.parsed.subscription, subscription)
                && ResourceID.equal($0.parsed.resourceGroup ?? "", group)
                && ResourceID.equal($0.parsed.type, type)
        }.sorted { $0.id.lowercased() < $1.id.lowercased() }
        let pageSize = catalog.fixture.listPageSize
        let start = Int(request.query["$skiptoken"] ?? "0") ?? 0
        let page = matching.dropFirst(start).prefix(pageSize)
        var body: [String: JSONValue] = ["value": .array(page.map { $0.render(false) })]
        if start + pageSize < matching.count {
            var query = request.query
            query["$skiptoken"] = String(start + pageSize)
            let encoded = query.keys.sorted().map { key in
                "\(Self.escape(key))=\(Self.escape(query[key] ?? ""))"
            }.joined(separator: "&")
            body["nextLink"] = .string(baseURL + String(request.path.dropFirst()) + "?" + encoded)
        }
        return .json(200, .object(body), headers: rateHeaders(subscription))
    }

    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~$")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
