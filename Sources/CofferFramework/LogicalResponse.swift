/// What a backend answers. `nil` from a handler means "nothing to say" (HTTP 204).
///
/// ```swift
/// return LogicalResponse(data: ["keys": .strings(names)])
/// var response = LogicalResponse(data: nil); response.warnings.append("…")
/// ```
public struct LogicalResponse: Sendable {
    public var data: [String: JSONValue]?
    public var warnings: [String]
    /// Set by auth methods on login: the core turns it into a token.
    public var auth: Auth?
    /// A body sent as-is instead of the envelope (OIDC discovery and keys are plain JSON documents).
    public var rawBody: JSONValue?
    /// An already-issued token's `auth` block (the token store's create/renew answers).
    public var issuedAuth: [String: JSONValue]?
    /// Overrides the HTTP status (e.g. 404 with a full envelope for a deleted KV version, 202).
    public var statusCode: Int?
    /// Copy every `data` key to the top level of the envelope too (some `sys/` paths, see vault-api §1.6).
    public var injectDataAtTopLevel: Bool

    public init(
        data: [String: JSONValue]? = nil, warnings: [String] = [], auth: Auth? = nil, statusCode: Int? = nil,
        injectDataAtTopLevel: Bool = false
    ) {
        self.data = data
        self.warnings = warnings
        self.auth = auth
        self.statusCode = statusCode
        self.injectDataAtTopLevel = injectDataAtTopLevel
        self.issuedAuth = nil
        self.rawBody = nil
    }

    /// A plain JSON document answered without the Vault envelope.
    public static func raw(_ body: JSONValue) -> LogicalResponse {
        var response = LogicalResponse()
        response.rawBody = body
        return response
    }

    /// A list response (`data.keys`).
    public static func list(_ keys: [String]) -> LogicalResponse { LogicalResponse(data: ["keys": .strings(keys)]) }
}
