import CofferJSON

/// The `auth` block of a login or renewal answer: the token and its lease.
///
/// ```swift
/// let response = try await client.request("PUT", "auth/token/renew-self", body: ["increment": 0])
/// if let auth = response.authInfo { print(auth.clientToken, auth.leaseDuration, auth.renewable) }
/// ```
public struct VaultAuth: Sendable, Equatable {
    public var clientToken: String
    public var accessor: String
    public var policies: [String]
    public var tokenPolicies: [String]
    public var metadata: [String: String]
    /// Seconds the token lives from now; 0 for a token that never expires.
    public var leaseDuration: Int64
    public var renewable: Bool
    public var entityID: String
    public var orphan: Bool

    public init(
        clientToken: String, accessor: String = "", policies: [String] = [], tokenPolicies: [String] = [],
        metadata: [String: String] = [:], leaseDuration: Int64 = 0, renewable: Bool = false, entityID: String = "",
        orphan: Bool = false
    ) {
        self.clientToken = clientToken
        self.accessor = accessor
        self.policies = policies
        self.tokenPolicies = tokenPolicies
        self.metadata = metadata
        self.leaseDuration = leaseDuration
        self.renewable = renewable
        self.entityID = entityID
        self.orphan = orphan
    }

    /// Reads an `auth` object; `nil` when it has no `client_token`.
    public init?(_ auth: [String: JSONValue]) {
        guard let token = auth["client_token"]?.stringValue, !token.isEmpty else { return nil }
        self.init(
            clientToken: token, accessor: auth["accessor"]?.stringValue ?? "",
            policies: auth["policies"]?.stringArray ?? [], tokenPolicies: auth["token_policies"]?.stringArray ?? [],
            metadata: (auth["metadata"]?.objectValue ?? [:]).compactMapValues(\.stringValue),
            leaseDuration: auth["lease_duration"]?.intValue ?? 0, renewable: auth["renewable"]?.boolValue ?? false,
            entityID: auth["entity_id"]?.stringValue ?? "", orphan: auth["orphan"]?.boolValue ?? false)
    }
}

extension VaultResponse {
    /// The `auth` block as ``VaultAuth``; `nil` when absent or without a token.
    public var authInfo: VaultAuth? { auth.flatMap(VaultAuth.init) }
}
