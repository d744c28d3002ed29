import CofferFramework

/// A request as the HTTP layer hands it to the core: already decoded, not yet authorised.
///
/// ```swift
/// let request = CoreRequest(operation: .read, path: "secret/data/creds", token: "hvs.…")
/// let response = await core.handle(request)
/// ```
public struct CoreRequest: Sendable {
    public var id: String
    public var operation: LogicalOperation
    /// The logical path (after `/v1/`), percent-decoded.
    public var path: String
    public var data: [String: JSONValue]
    public var token: String?
    public var remoteAddress: String?
    /// The client's source port, for the audit log's `remote_port`.
    public var remotePort: Int?
    /// Lower-cased header names.
    public var headers: [String: String]
    /// `?help=1`.
    public var isHelp: Bool
    /// `X-Vault-Wrap-TTL` in seconds; above 0 the answer is response-wrapped (docs/response-wrapping.md).
    public var wrapTTL: Int64 = 0

    public init(
        id: String = "", operation: LogicalOperation, path: String, data: [String: JSONValue] = [:],
        token: String? = nil, remoteAddress: String? = nil, headers: [String: String] = [:], isHelp: Bool = false
    ) {
        self.id = id
        self.operation = operation
        self.path = path
        self.data = data
        self.token = token
        self.remoteAddress = remoteAddress
        self.headers = headers
        self.isHelp = isHelp
    }
}
