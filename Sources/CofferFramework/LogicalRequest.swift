import CofferStorage

/// The identity behind a request, as the core resolved it from the client token.
public struct RequestIdentity: Sendable {
    public var accessor: String
    public var policies: [String]
    public var entityID: String
    public var displayName: String
    public var metadata: [String: String]
    public var isRoot: Bool
    /// Root, or `sudo` on the rule that matched this request's path.
    public var rootPrivileges: Bool

    public init(
        accessor: String, policies: [String], entityID: String, displayName: String,
        metadata: [String: String], isRoot: Bool, rootPrivileges: Bool
    ) {
        self.rootPrivileges = rootPrivileges
        self.accessor = accessor
        self.policies = policies
        self.entityID = entityID
        self.displayName = displayName
        self.metadata = metadata
        self.isRoot = isRoot
    }
}

/// A request as a backend receives it: the operation, the path relative to its mount,
/// the merged body/query data, a storage view scoped to the mount and, once the core has
/// authenticated it, the caller's token entry and identity.
///
/// ```swift
/// let request = LogicalRequest(operation: .read, path: "data/creds", storage: view)
/// let response = try await backend.handle(request)
/// ```
public struct LogicalRequest: Sendable {
    public var id: String
    public var operation: LogicalOperation
    /// Path relative to the mount, e.g. `data/creds` for `secret/data/creds`.
    public var path: String
    public var data: [String: JSONValue]
    /// The mount's path with trailing slash, e.g. `secret/` or `auth/azure/`.
    public var mountPoint: String
    public var mountAccessor: String
    public var mountType: String
    /// The raw client token, if any. Backends must never log or store it.
    public var clientToken: String?
    public var identity: RequestIdentity?
    /// The caller's token entry; set by the core on every authenticated request, nil on unauthenticated paths.
    public var tokenEntry: (any CallerTokenEntry)?
    public var remoteAddress: String?
    /// Request headers, names lower-cased.
    public var headers: [String: String]
    public var storage: any Storage
    /// The mount's effective maximum lease TTL in seconds (its tuning, else the system's).
    public var mountMaxTTL: Int64 = 0

    public init(
        id: String = "", operation: LogicalOperation, path: String, data: [String: JSONValue] = [:],
        mountPoint: String = "", mountAccessor: String = "", mountType: String = "",
        clientToken: String? = nil, identity: RequestIdentity? = nil, tokenEntry: (any CallerTokenEntry)? = nil,
        remoteAddress: String? = nil, headers: [String: String] = [:], storage: any Storage
    ) {
        self.id = id
        self.operation = operation
        self.path = path
        self.data = data
        self.mountPoint = mountPoint
        self.mountAccessor = mountAccessor
        self.mountType = mountType
        self.clientToken = clientToken
        self.identity = identity
        self.tokenEntry = tokenEntry
        self.remoteAddress = remoteAddress
        self.headers = headers
        self.storage = storage
    }
}
