import CofferFramework

/// What the pipeline learned about one request, before any device hashes it: the caller, the request, the mount,
/// and (for the response entry) the answer or the error. ``AuditEntryWriter`` renders it per device.
///
/// ```swift
/// var record = AuditRecord(id: request.id, operation: .update, path: "secret/data/app", data: request.data)
/// record.error = "permission denied"
/// try await core.audit.log(record, kind: .request)
/// ```
public struct AuditRecord: Sendable {
    public enum Kind: String, Sendable {
        case request, response
    }

    /// Who made the request, or who a login/token create issued a token to.
    public struct Caller: Sendable {
        public var clientToken: String?
        public var accessor: String?
        public var displayName = ""
        public var policies: [String] = []
        public var tokenPolicies: [String] = []
        public var identityPolicies: [String] = []
        public var metadata: [String: String] = [:]
        public var entityID = ""
        public var tokenType = "default"
        public var tokenTTL: Int64 = 0
        /// Unix seconds; 0 = not known.
        public var tokenIssueTime: Int64 = 0
        public var numUses: Int64 = 0
        public var remainingUses: Int64 = 0

        public init() {}
    }

    /// The mount a request was routed to.
    public struct Mount: Sendable {
        public var point: String
        public var type: String
        public var accessor: String
        /// `secret` or `auth`.
        public var mountClass: String
        public var runningVersion: String
        public var nonHMACRequestKeys: Set<String> = []
        public var nonHMACResponseKeys: Set<String> = []

        public init(point: String, type: String, accessor: String, mountClass: String, runningVersion: String) {
            self.point = point
            self.type = type
            self.accessor = accessor
            self.mountClass = mountClass
            self.runningVersion = runningVersion
        }
    }

    public var id: String
    public var operation: LogicalOperation
    public var path: String
    public var data: [String: JSONValue]
    public var clientToken: String?
    public var remoteAddress: String?
    public var remotePort: Int?
    public var mount: Mount?
    public var caller: Caller?
    /// The ACL verdict; nil when no policy check ran (unauthenticated paths, or before routing).
    public var allowed: Bool?
    /// Granting policies, when the verdict knows them (root: `root`).
    public var grantingPolicies: [String] = []
    public var error: String?
    /// Set by the pipeline once the request entry is written.
    var requestLogged = false

    // The answer, for the response entry.
    public var responseData: [String: JSONValue]?
    public var responseAuth: Caller?
    public var warnings: [String] = []
    /// A wrapped answer's `wrap_info` (docs/response-wrapping.md); its token and accessors are hashed when written.
    public var wrapInfo: WrapInfo?

    public init(
        id: String, operation: LogicalOperation, path: String, data: [String: JSONValue] = [:],
        clientToken: String? = nil, remoteAddress: String? = nil
    ) {
        self.id = id
        self.operation = operation
        self.path = path
        self.data = data
        self.clientToken = clientToken
        self.remoteAddress = remoteAddress
    }
}
