import CofferFramework

/// A token store role (`auth/token/roles/<name>`): which policies its tokens may carry, and the
/// shared ``TokenParams`` group for their lifetimes, type and bindings.
///
/// ```swift
/// var role = TokenRole(name: "ci")
/// role.allowedPolicies = ["ci"]
/// role.token.ttl = 3600
/// try await storage.putJSON("roles/ci", role)
/// ```
public struct TokenRole: Sendable, Equatable {
    public var name: String
    public var allowedPolicies: [String] = []
    public var disallowedPolicies: [String] = []
    public var allowedPoliciesGlob: [String] = []
    public var disallowedPoliciesGlob: [String] = []
    public var orphan = false
    public var renewable = true
    public var pathSuffix = ""
    public var allowedEntityAliases: [String] = []
    /// `token_policies` is not a token-store role field (its tokens take `allowed_policies`); the rest applies.
    public var token = TokenParams(type: .defaultService)

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

extension TokenRole: Codable {
    enum CodingKeys: String, CodingKey {
        case name, allowedPolicies, disallowedPolicies, allowedPoliciesGlob, disallowedPoliciesGlob, orphan
        case renewable, pathSuffix, allowedEntityAliases
    }

    /// The token group is stored flat beside the role's own members, under the names roles always used.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        allowedPolicies = try container.decodeIfPresent([String].self, forKey: .allowedPolicies) ?? []
        disallowedPolicies = try container.decodeIfPresent([String].self, forKey: .disallowedPolicies) ?? []
        allowedPoliciesGlob = try container.decodeIfPresent([String].self, forKey: .allowedPoliciesGlob) ?? []
        disallowedPoliciesGlob = try container.decodeIfPresent([String].self, forKey: .disallowedPoliciesGlob) ?? []
        orphan = try container.decodeIfPresent(Bool.self, forKey: .orphan) ?? false
        renewable = try container.decodeIfPresent(Bool.self, forKey: .renewable) ?? true
        pathSuffix = try container.decodeIfPresent(String.self, forKey: .pathSuffix) ?? ""
        allowedEntityAliases = try container.decodeIfPresent([String].self, forKey: .allowedEntityAliases) ?? []
        token = try TokenParams(from: decoder)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(allowedPolicies, forKey: .allowedPolicies)
        try container.encode(disallowedPolicies, forKey: .disallowedPolicies)
        try container.encode(allowedPoliciesGlob, forKey: .allowedPoliciesGlob)
        try container.encode(disallowedPoliciesGlob, forKey: .disallowedPoliciesGlob)
        try container.encode(orphan, forKey: .orphan)
        try container.encode(renewable, forKey: .renewable)
        try container.encode(pathSuffix, forKey: .pathSuffix)
        try container.encode(allowedEntityAliases, forKey: .allowedEntityAliases)
        try token.encode(to: encoder)
    }
}
