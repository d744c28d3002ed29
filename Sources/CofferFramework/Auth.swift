/// An identity alias an auth method reports for the authenticated principal.
public struct Alias: Sendable, Codable, Equatable {
    public var name: String
    public var metadata: [String: String]

    public init(name: String, metadata: [String: String] = [:]) {
        self.name = name
        self.metadata = metadata
    }
}

/// What an auth method hands the core after a successful login; the core's token issuer turns it into a token,
/// computes TTLs against the mount's tuning, and links the identity alias.
///
/// ```swift
/// var auth = Auth(displayName: oid, alias: Alias(name: oid))
/// role.token.populate(&auth)          // policies, TTLs, type, … from the role's ``TokenParams``
/// return .login(auth)
/// ```
public struct Auth: Sendable, Equatable {
    public var policies: [String]
    public var metadata: [String: String]
    public var displayName: String
    public var alias: Alias?
    public var groupAliases: [Alias]
    /// Kept with the token, handed back to the method on renewal; never shown to clients.
    public var internalData: [String: JSONValue]
    /// Seconds; 0 means "use the mount default".
    public var ttl: Int64
    public var maxTTL: Int64
    public var period: Int64
    public var explicitMaxTTL: Int64
    public var numUses: Int64
    public var boundCIDRs: [String]
    /// `.default` leaves the choice to the mount's tuning.
    public var tokenType: TokenType
    public var noDefaultPolicy: Bool
    public var renewable: Bool

    public init(
        policies: [String] = [], metadata: [String: String] = [:], displayName: String = "",
        alias: Alias? = nil, groupAliases: [Alias] = [], internalData: [String: JSONValue] = [:],
        ttl: Int64 = 0, maxTTL: Int64 = 0, period: Int64 = 0, explicitMaxTTL: Int64 = 0, numUses: Int64 = 0,
        boundCIDRs: [String] = [], tokenType: TokenType = .default, noDefaultPolicy: Bool = false,
        renewable: Bool = true
    ) {
        self.policies = policies
        self.metadata = metadata
        self.displayName = displayName
        self.alias = alias
        self.groupAliases = groupAliases
        self.internalData = internalData
        self.ttl = ttl
        self.maxTTL = maxTTL
        self.period = period
        self.explicitMaxTTL = explicitMaxTTL
        self.numUses = numUses
        self.boundCIDRs = boundCIDRs
        self.tokenType = tokenType
        self.noDefaultPolicy = noDefaultPolicy
        self.renewable = renewable
    }
}
