import Foundation

/// Azure Resource Manager reads over AsyncHTTPClient with the retry policy of the config
/// (docs/azure-auth.md § ARM calls, § Retries).
///
/// ```swift
/// let arm = ARMClient(cloud: settings.cloud, credential: credential, http: http, retry: settings.retry)
/// let vm = try await arm.virtualMachine(subscription: sub, resourceGroup: rg, name: "vm1")
/// vm.identity?.principalID
/// ```
///
/// Every call sends `Accept: application/json` and a bearer token for `<tokenAudience>/.default`. 408, 429
/// and 5xx answers and transport errors are retried (honouring `Retry-After`); a 404 is
/// ``AzureError/notFound(call:detail:)`` at once; other failures, and retries running out, are
/// ``AzureError/upstream(call:status:detail:)`` naming `ARM GET <kind>`.
public struct ARMClient: AzureResourceManaging {
    public static let computeAPIVersion = "2022-11-01"
    public static let managedIdentityAPIVersion = "2023-01-31"
    public static let providersAPIVersion = "2021-04-01"
    /// Bound on `nextLink` pages, so a looping answer cannot spin forever.
    static let maxPages = 1000

    public let cloud: AzureCloud
    public let retry: AzureRetryPolicy
    private let credential: any AzureCredential
    private let http: AzureHTTP

    public init(cloud: AzureCloud, credential: any AzureCredential, http: AzureHTTP, retry: AzureRetryPolicy = .default)
    {
        self.cloud = cloud
        self.credential = credential
        self.http = http
        self.retry = retry
    }

    public func virtualMachine(subscription: String, resourceGroup: String, name: String) async throws -> ARMResource {
        let path = Self.groupPath(subscription, resourceGroup, "Microsoft.Compute/virtualMachines", name)
        let response = try await get(
            path, query: [("$expand", "instanceView"), ("api-version", Self.computeAPIVersion)],
            call: "ARM GET virtualMachines")
        return try decodeResource(response, call: "ARM GET virtualMachines")
    }

    public func virtualMachineScaleSet(subscription: String, resourceGroup: String, name: String) async throws
        -> ARMResource
    {
        let path = Self.groupPath(subscription, resourceGroup, "Microsoft.Compute/virtualMachineScaleSets", name)
        let call = "ARM GET virtualMachineScaleSets"
        let response = try await get(path, query: [("api-version", Self.computeAPIVersion)], call: call)
        return try decodeResource(response, call: call)
    }

    public func userAssignedIdentity(resourceID: String) async throws -> ManagedIdentityInfo {
        let parsed: ARMResourceID
        do {
            parsed = try ARMResourceID(parsing: resourceID)
        } catch {
            throw AzureError.rejected(
                "unable to parse the user-assigned identity resource ID \"\(resourceID)\": \(error)")
        }
        guard parsed.isType("Microsoft.ManagedIdentity", "userAssignedIdentities"),
            let subscription = parsed.subscriptionID,
            let group = parsed.resourceGroup, let name = parsed.name
        else {
            throw AzureError.rejected(
                "unable to parse the user-assigned identity resource ID \"\(resourceID)\": not a user-assigned identity"
            )
        }
        let call = "ARM GET userAssignedIdentities"
        let path = Self.groupPath(subscription, group, "Microsoft.ManagedIdentity/userAssignedIdentities", name)
        let response = try await get(path, query: [("api-version", Self.managedIdentityAPIVersion)], call: call)
        let identity: IdentityJSON = try decode(response, call: call)
        return identity.info(fallbackID: resourceID)
    }

    public func userAssignedIdentities(subscription: String, resourceGroup: String) async throws
        -> [ManagedIdentityInfo]
    {
        let call = "ARM GET userAssignedIdentities"
        let path = Self.groupPath(subscription, resourceGroup, "Microsoft.ManagedIdentity/userAssignedIdentities", nil)
        var url =
            AzureURL.join(cloud.resourceManagerEndpoint, path) + "?"
            + AzureURL.query([("api-version", Self.managedIdentityAPIVersion)])
        var identities: [ManagedIdentityInfo] = []
        for _ in 0..<Self.maxPages {
            let response = try await send(url, call: call)
            let page: ListJSON<IdentityJSON> = try decode(response, call: call)
            identities += page.value.map { $0.info(fallbackID: "") }
            guard let next = page.nextLink, !next.isEmpty else { return identities }
            // The bearer token must only ever go to this cloud's ARM endpoint.
            guard AzureURL.origin(next) == AzureURL.origin(cloud.resourceManagerEndpoint) else {
                throw AzureError.upstream(
                    call: call, status: response.status, detail: "nextLink points to another host")
            }
            url = next
        }
        throw AzureError.upstream(call: call, status: nil, detail: "more than \(Self.maxPages) pages")
    }

    public func providerResourceTypes(subscription: String, namespace: String) async throws -> [String: [String]] {
        let call = "ARM GET providers"
        let path =
            "/subscriptions/\(AzureURL.escapeSegment(subscription))/providers/\(AzureURL.escapeSegment(namespace))"
        let response = try await get(path, query: [("api-version", Self.providersAPIVersion)], call: call)
        let provider: ProviderJSON = try decode(response, call: call)
        var types: [String: [String]] = [:]
        for entry in provider.resourceTypes ?? [] where types[entry.resourceType] == nil {
            types[entry.resourceType] = entry.apiVersions ?? []
        }
        return types
    }

    public func resource(id: String, apiVersion: String) async throws -> ARMResource {
        let call = "ARM GET resource"
        guard id.hasPrefix("/"), !id.contains("?"), !id.contains("#"),
            !id.split(separator: "/").contains(where: { $0 == ".." || $0 == "." })
        else {
            throw AzureError.rejected("unable to parse the resource ID: \"\(id)\"")
        }
        let path = id.split(separator: "/", omittingEmptySubsequences: false).map {
            AzureURL.escapeSegment(String($0))
        }.joined(separator: "/")
        let response = try await get(path, query: [("api-version", apiVersion)], call: call)
        return try decodeResource(response, call: call)
    }

    // MARK: Transport

    /// `/subscriptions/<s>/resourceGroups/<rg>/providers/<namespace/type>[/<name>]` with escaped values.
    private static func groupPath(_ subscription: String, _ group: String, _ type: String, _ name: String?) -> String {
        let path =
            "/subscriptions/\(AzureURL.escapeSegment(subscription))/resourceGroups/\(AzureURL.escapeSegment(group))"
            + "/providers/\(type)"
        return name.map { path + "/" + AzureURL.escapeSegment($0) } ?? path
    }

    private func get(_ path: String, query: [(String, String)], call: String) async throws -> AzureHTTP.Response {
        try await send(AzureURL.join(cloud.resourceManagerEndpoint, path) + "?" + AzureURL.query(query), call: call)
    }

    /// One logical GET: up to `maxRetries` retries after the first attempt.
    private func send(_ url: String, call: String) async throws -> AzureHTTP.Response {
        var retries = 0
        while true {
            let token = try await credential.token(scope: cloud.armScope)
            let headers = [("Accept", "application/json"), ("Authorization", "Bearer \(token.token)")]
            var retryAfter: Double?
            let failure: AzureError
            do {
                let response = try await http.send(.GET, url, headers: headers, call: call, service: .arm)
                switch response.status {
                case 200..<300:
                    return response
                case 404:
                    throw AzureError.notFound(call: call, detail: AzureErrorBody.summary(response))
                case let status where AzureRetryPolicy.retryableStatuses.contains(status):
                    retryAfter = AzureRetryPolicy.retryAfter(response.headers)
                    failure = .upstream(call: call, status: status, detail: AzureErrorBody.summary(response))
                default:
                    throw AzureError.upstream(
                        call: call, status: response.status, detail: AzureErrorBody.summary(response))
                }
            } catch let error as AzureError {
                // A transport failure (no status) is retried; every other thrown error is final.
                guard case .upstream(_, nil, _) = error else { throw error }
                failure = error
            }
            guard retries < retry.maxRetries else { throw failure }
            retries += 1
            try await Task.sleep(for: retry.delay(beforeRetry: retries, retryAfter: retryAfter))
        }
    }

    // MARK: JSON

    private func decode<T: Decodable>(_ response: AzureHTTP.Response, call: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: response.bodyData)
        } catch {
            throw AzureError.upstream(call: call, status: response.status, detail: "unexpected response body")
        }
    }

    private func decodeResource(_ response: AzureHTTP.Response, call: String) throws -> ARMResource {
        let resource: ResourceJSON = try decode(response, call: call)
        return resource.armResource
    }
}

private struct ResourceJSON: Decodable {
    struct Identity: Decodable {
        struct UserAssigned: Decodable {
            var principalId: String?
        }
        var principalId: String?
        var userAssignedIdentities: [String: UserAssigned?]?
    }
    /// The one `properties` field read. `properties` is free-form for generic resources, so a shape this does not
    /// expect yields no scale set rather than failing the whole answer.
    struct Properties: Decodable {
        struct SubResource: Decodable {
            var id: String?
        }
        var virtualMachineScaleSet: SubResource?

        init(from decoder: any Decoder) throws {
            let container = try? decoder.container(keyedBy: CodingKeys.self)
            virtualMachineScaleSet = try? container?.decodeIfPresent(SubResource.self, forKey: .virtualMachineScaleSet)
        }

        enum CodingKeys: String, CodingKey {
            case virtualMachineScaleSet
        }
    }
    var id: String?
    var name: String?
    var location: String?
    var identity: Identity?
    var properties: Properties?

    var armResource: ARMResource {
        ARMResource(
            id: id ?? "", name: name ?? "", location: location,
            identity: identity.map { identity in
                ARMIdentity(
                    principalID: identity.principalId,
                    userAssignedIdentities: (identity.userAssignedIdentities ?? [:]).mapValues { $0?.principalId })
            }, scaleSetID: properties?.virtualMachineScaleSet?.id)
    }
}

private struct IdentityJSON: Decodable {
    struct Properties: Decodable {
        var principalId: String?
        var clientId: String?
    }
    var id: String?
    var properties: Properties?

    func info(fallbackID: String) -> ManagedIdentityInfo {
        ManagedIdentityInfo(
            id: id ?? fallbackID, principalID: properties?.principalId, clientID: properties?.clientId)
    }
}

private struct ListJSON<Element: Decodable>: Decodable {
    var value: [Element]
    var nextLink: String?
}

private struct ProviderJSON: Decodable {
    struct ResourceType: Decodable {
        var resourceType: String
        var apiVersions: [String]?
    }
    var resourceTypes: [ResourceType]?
}
