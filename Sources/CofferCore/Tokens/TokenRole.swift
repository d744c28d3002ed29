/// A token store role (`auth/token/roles/<name>`, vault-api §3.6).
public struct TokenRole: Sendable, Codable, Equatable {
    public var name: String
    public var allowedPolicies: [String] = []
    public var disallowedPolicies: [String] = []
    public var allowedPoliciesGlob: [String] = []
    public var disallowedPoliciesGlob: [String] = []
    public var orphan = false
    public var renewable = true
    public var pathSuffix = ""
    public var allowedEntityAliases: [String] = []
    public var tokenType = "default-service"
    public var tokenPeriod: Int64 = 0
    public var tokenExplicitMaxTTL: Int64 = 0
    public var tokenBoundCIDRs: [String] = []
    public var tokenNoDefaultPolicy = false
    public var tokenNumUses: Int64 = 0
    /// Default TTL of the role's tokens (nil or 0: the mount's default). Optional so roles stored before the
    /// field existed still decode.
    public var tokenTTL: Int64?
    /// Cap on the role's tokens' lifetime, renewals included (nil or 0: the mount's max).
    public var tokenMaxTTL: Int64?

    public init(name: String) { self.name = name }

    /// `*` globs at either end, as Vault's `glob` matching for role policy lists.
    static func globMatch(_ pattern: String, _ value: String) -> Bool {
        if pattern == "*" { return true }
        var pattern = Substring(pattern)
        var value = Substring(value)
        let leading = pattern.hasPrefix("*")
        let trailing = pattern.hasSuffix("*")
        if leading { pattern = pattern.dropFirst() }
        if trailing, !pattern.isEmpty { pattern = pattern.dropLast() }
        switch (leading, trailing) {
        case (true, true): return value.contains(pattern)
        case (true, false): return value.hasSuffix(pattern)
        case (false, true): return value.hasPrefix(pattern)
        case (false, false):
            value = value[...]
            return value == pattern
        }
    }
}
