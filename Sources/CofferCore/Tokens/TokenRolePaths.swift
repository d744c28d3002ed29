import CofferFramework

/// Fields and handlers of `auth/token/roles/<name>`: the role's own policy rules, plus the shared ``TokenParams``
/// group (without `token_policies`) and its older spellings `period`, `explicit_max_ttl` and `bound_cidrs`.
enum TokenRolePaths {
    /// The `token_*` fields a token-store role takes, as Vault's token store allows them.
    static let tokenFields: Set<String> = [
        "token_type", "token_period", "token_explicit_max_ttl", "token_bound_cidrs", "token_no_default_policy",
        "token_num_uses", "token_ttl", "token_max_ttl",
    ]

    static let fields: [String: FieldSchema] = {
        var fields: [String: FieldSchema] = [
            "role_name": FieldSchema(.string, description: "Role name"),
            "allowed_policies": FieldSchema(.commaStringSlice, description: "Policies tokens may have"),
            "disallowed_policies": FieldSchema(.commaStringSlice, description: "Policies tokens may not have"),
            "allowed_policies_glob": FieldSchema(.commaStringSlice, description: "Allowed policy globs"),
            "disallowed_policies_glob": FieldSchema(.commaStringSlice, description: "Disallowed policy globs"),
            "orphan": FieldSchema(.bool, description: "Tokens are orphans"),
            "renewable": FieldSchema(.bool, default: true, description: "Tokens are renewable"),
            "path_suffix": FieldSchema(.string, description: "Suffix of the token path"),
            "allowed_entity_aliases": FieldSchema(.commaStringSlice, description: "Entity aliases allowed"),
        ]
        fields.merge(TokenParams.fields(only: tokenFields)) { own, _ in own }
        fields.merge(TokenParams.deprecatedFields(["period", "explicit_max_ttl", "bound_cidrs"])) { own, _ in own }
        fields["token_type"]?.defaultValue = .string(TokenType.defaultService.rawValue)
        return fields
    }()

    static func read(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        guard
            let role = try await request.storage.getJSON(
                TokenRole.self, "roles/" + fields.string("role_name").lowercased())
        else { return nil }
        let token = role.token
        var data: [String: JSONValue] = [
            "name": .string(role.name), "allowed_policies": .strings(role.allowedPolicies),
            "disallowed_policies": .strings(role.disallowedPolicies),
            "allowed_policies_glob": .strings(role.allowedPoliciesGlob),
            "disallowed_policies_glob": .strings(role.disallowedPoliciesGlob), "orphan": .bool(role.orphan),
            "renewable": .bool(role.renewable), "path_suffix": .string(role.pathSuffix),
            "allowed_entity_aliases": .strings(role.allowedEntityAliases),
            "token_type": .string(token.type.rawValue), "token_period": .int(token.period),
            "period": .int(token.period), "token_explicit_max_ttl": .int(token.explicitMaxTTL),
            "explicit_max_ttl": .int(token.explicitMaxTTL), "token_no_default_policy": .bool(token.noDefaultPolicy),
            "token_ttl": .int(token.ttl), "token_max_ttl": .int(token.maxTTL),
        ]
        if !token.boundCIDRs.isEmpty {
            data["token_bound_cidrs"] = .strings(token.boundCIDRs)
            data["bound_cidrs"] = .strings(token.boundCIDRs)
        }
        if token.numUses > 0 { data["token_num_uses"] = .int(token.numUses) }
        return LogicalResponse(data: data)
    }

    static func write(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let name = try fields.string("role_name").lowercased()
        var role = try await request.storage.getJSON(TokenRole.self, "roles/" + name) ?? TokenRole(name: name)
        try applyPolicyRules(fields, to: &role)
        try role.token.parse(fields, choices: TokenType.defaultingChoices)
        // The older spellings are not kept apart: a read shows the `token_` values under both names.
        var legacy = TokenParams.Legacy()
        try legacy.upgrade(fields, into: &role.token)
        try role.token.validate()
        // The token store's own rule beyond the group's: its batch tokens never carry an explicit max TTL.
        if role.token.type == .batch, role.token.explicitMaxTTL > 0 {
            throw LogicalError.badRequest("batch tokens cannot have period, explicit max TTL or use limits")
        }
        try await request.storage.putJSON("roles/" + name, role)
        return nil
    }

    /// The role's own fields: which policies its tokens may carry, orphans, renewal, path suffix, aliases.
    static func applyPolicyRules(_ fields: FieldData, to role: inout TokenRole) throws {
        if fields.has("allowed_policies") { role.allowedPolicies = try fields.stringSlice("allowed_policies") }
        if fields.has("disallowed_policies") { role.disallowedPolicies = try fields.stringSlice("disallowed_policies") }
        if fields.has("allowed_policies_glob") {
            role.allowedPoliciesGlob = try fields.stringSlice("allowed_policies_glob")
        }
        if fields.has("disallowed_policies_glob") {
            role.disallowedPoliciesGlob = try fields.stringSlice("disallowed_policies_glob")
        }
        if fields.has("orphan") { role.orphan = try fields.bool("orphan") }
        if fields.has("renewable") { role.renewable = try fields.bool("renewable") }
        if fields.has("path_suffix") {
            let suffix = try fields.string("path_suffix")
            if suffix.contains("..") {
                throw LogicalError.badRequest("error sanitizing path suffix: path cannot contain '..'")
            }
            role.pathSuffix = suffix
        }
        if fields.has("allowed_entity_aliases") {
            role.allowedEntityAliases = try fields.stringSlice("allowed_entity_aliases")
        }
    }
}
