extension TokenParams {
    /// The `token_*` fields, for a role path to merge into its own (Vault's `tokenutil.TokenFields`).
    public static let fields: [String: FieldSchema] = [
        "token_bound_cidrs": FieldSchema(
            .commaStringSlice, description: "CIDR blocks the generated tokens may be used from"),
        "token_explicit_max_ttl": FieldSchema(
            .duration, description: "Hard lifetime cap of generated tokens; renewals and tuning cannot extend it"),
        "token_max_ttl": FieldSchema(.duration, description: "The maximum lifetime of the generated token"),
        "token_no_default_policy": FieldSchema(
            .bool, description: "If true, the 'default' policy is not added to generated tokens"),
        "token_period": FieldSchema(
            .duration, description: "If set, generated tokens are periodic: renewable forever by this period"),
        "token_policies": FieldSchema(.commaStringSlice, description: "Comma-separated list of policies"),
        "token_type": FieldSchema(.string, description: "The type of token to generate, service or batch"),
        "token_ttl": FieldSchema(.duration, description: "The initial ttl of the token to generate"),
        "token_num_uses": FieldSchema(
            .int, description: "The maximum number of times a token may be used, a value of zero means unlimited"),
    ]

    /// The `token_*` fields named in `allowed` (Vault's `AddTokenFieldsWithAllowList`), for roles that handle
    /// the others in their own way.
    public static func fields(only allowed: Set<String>) -> [String: FieldSchema] {
        fields.filter { allowed.contains($0.key) }
    }

    /// The pre-`token_*` spellings a role may still accept, by field name. Each is deprecated in favour of its
    /// `token_` twin, which wins when both are sent.
    public static let deprecatedFields: [String: FieldSchema] = [
        "policies": FieldSchema(.commaStringSlice, description: "Deprecated: use token_policies", deprecated: true),
        "ttl": FieldSchema(.duration, description: "Deprecated: use token_ttl", deprecated: true),
        "max_ttl": FieldSchema(.duration, description: "Deprecated: use token_max_ttl", deprecated: true),
        "period": FieldSchema(.duration, description: "Deprecated: use token_period", deprecated: true),
        "num_uses": FieldSchema(.int, description: "Deprecated: use token_num_uses", deprecated: true),
        "explicit_max_ttl": FieldSchema(
            .duration, description: "Deprecated: use token_explicit_max_ttl", deprecated: true),
        "bound_cidrs": FieldSchema(
            .commaStringSlice, description: "Deprecated: use token_bound_cidrs", deprecated: true),
    ]

    /// The deprecated spellings named in `names`.
    public static func deprecatedFields(_ names: Set<String>) -> [String: FieldSchema] {
        deprecatedFields.filter { names.contains($0.key) }
    }
}

extension TokenParams: Codable {
    /// The member names roles stored before the group existed; kept so those records read unchanged.
    enum CodingKeys: String, CodingKey {
        case ttl = "tokenTTL"
        case maxTTL = "tokenMaxTTL"
        case period = "tokenPeriod"
        case explicitMaxTTL = "tokenExplicitMaxTTL"
        case policies = "tokenPolicies"
        case boundCIDRs = "tokenBoundCIDRs"
        case noDefaultPolicy = "tokenNoDefaultPolicy"
        case numUses = "tokenNumUses"
        case type = "tokenType"
    }

    /// Absent members take their defaults: older roles stored only some of them.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ttl = try container.decodeIfPresent(Int64.self, forKey: .ttl) ?? 0
        maxTTL = try container.decodeIfPresent(Int64.self, forKey: .maxTTL) ?? 0
        period = try container.decodeIfPresent(Int64.self, forKey: .period) ?? 0
        explicitMaxTTL = try container.decodeIfPresent(Int64.self, forKey: .explicitMaxTTL) ?? 0
        policies = try container.decodeIfPresent([String].self, forKey: .policies) ?? []
        boundCIDRs = try container.decodeIfPresent([String].self, forKey: .boundCIDRs) ?? []
        noDefaultPolicy = try container.decodeIfPresent(Bool.self, forKey: .noDefaultPolicy) ?? false
        numUses = try container.decodeIfPresent(Int64.self, forKey: .numUses) ?? 0
        type = try container.decodeIfPresent(TokenType.self, forKey: .type) ?? .default
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ttl, forKey: .ttl)
        try container.encode(maxTTL, forKey: .maxTTL)
        try container.encode(period, forKey: .period)
        try container.encode(explicitMaxTTL, forKey: .explicitMaxTTL)
        try container.encode(policies, forKey: .policies)
        try container.encode(boundCIDRs, forKey: .boundCIDRs)
        try container.encode(noDefaultPolicy, forKey: .noDefaultPolicy)
        try container.encode(numUses, forKey: .numUses)
        try container.encode(type, forKey: .type)
    }
}
