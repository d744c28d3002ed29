import CofferFramework

/// Fields and handlers of `auth/token/roles/<name>` (vault-api §3.6).
enum TokenRolePaths {
    static let fields: [String: FieldSchema] = [
        "role_name": FieldSchema(.string, description: "Role name"),
        "allowed_policies": FieldSchema(.commaStringSlice, description: "Policies tokens may have"),
        "disallowed_policies": FieldSchema(.commaStringSlice, description: "Policies tokens may not have"),
        "allowed_policies_glob": FieldSchema(.commaStringSlice, description: "Allowed policy globs"),
        "disallowed_policies_glob": FieldSchema(.commaStringSlice, description: "Disallowed policy globs"),
        "orphan": FieldSchema(.bool, description: "Tokens are orphans"),
        "renewable": FieldSchema(.bool, default: true, description: "Tokens are renewable"),
        "path_suffix": FieldSchema(.string, description: "Suffix of the token path"),
        "allowed_entity_aliases": FieldSchema(.commaStringSlice, description: "Entity aliases allowed"),
        "token_type": FieldSchema(.string, default: "default-service", description: "Token type"),
        "token_period": FieldSchema(.duration, description: "Period of tokens"),
        "period": FieldSchema(.duration, description: "Deprecated: token_period", deprecated: true),
        "token_explicit_max_ttl": FieldSchema(.duration, description: "Explicit max TTL of tokens"),
        "explicit_max_ttl": FieldSchema(.duration, description: "Deprecated: token_explicit_max_ttl", deprecated: true),
        "token_bound_cidrs": FieldSchema(.commaStringSlice, description: "CIDRs tokens may be used from"),
        "bound_cidrs": FieldSchema(.commaStringSlice, description: "Deprecated: token_bound_cidrs", deprecated: true),
        "token_no_default_policy": FieldSchema(.bool, description: "Do not add the default policy"),
        "token_num_uses": FieldSchema(.int, description: "Use limit of tokens"),
        "token_ttl": FieldSchema(.duration, description: "Default TTL of tokens"),
        "token_max_ttl": FieldSchema(.duration, description: "Maximum lifetime of tokens"),
    ]

    static func read(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        guard
            let role = try await request.storage.getJSON(
                TokenRole.self, "roles/" + fields.string("role_name").lowercased())
        else { return nil }
        var data: [String: JSONValue] = [
            "name": .string(role.name), "allowed_policies": .strings(role.allowedPolicies),
            "disallowed_policies": .strings(role.disallowedPolicies),
            "allowed_policies_glob": .strings(role.allowedPoliciesGlob),
            "disallowed_policies_glob": .strings(role.disallowedPoliciesGlob), "orphan": .bool(role.orphan),
            "renewable": .bool(role.renewable), "path_suffix": .string(role.pathSuffix),
            "allowed_entity_aliases": .strings(role.allowedEntityAliases), "token_type": .string(role.tokenType),
            "token_period": .int(role.tokenPeriod), "period": .int(role.tokenPeriod),
            "token_explicit_max_ttl": .int(role.tokenExplicitMaxTTL),
            "explicit_max_ttl": .int(role.tokenExplicitMaxTTL),
            "token_no_default_policy": .bool(role.tokenNoDefaultPolicy),
        ]
        if !role.tokenBoundCIDRs.isEmpty {
            data["token_bound_cidrs"] = .strings(role.tokenBoundCIDRs)
            data["bound_cidrs"] = .strings(role.tokenBoundCIDRs)
        }
        if role.tokenNumUses > 0 { data["token_num_uses"] = .int(role.tokenNumUses) }
        data["token_ttl"] = .int(role.tokenTTL ?? 0)
        data["token_max_ttl"] = .int(role.tokenMaxTTL ?? 0)
        return LogicalResponse(data: data)
    }

    static func write(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let name = try fields.string("role_name").lowercased()
        var role = try await request.storage.getJSON(TokenRole.self, "roles/" + name) ?? TokenRole(name: name)
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
        if fields.has("token_type") {
            let type = try fields.string("token_type")
            guard ["default-service", "default-batch", "service", "batch"].contains(type) else {
                throw LogicalError.badRequest("invalid 'token_type' value \"\(type)\"")
            }
            role.tokenType = type
        }
        if fields.has("token_period") {
            role.tokenPeriod = try fields.duration("token_period")
        } else if fields.has("period") {
            role.tokenPeriod = try fields.duration("period")
        }
        if fields.has("token_explicit_max_ttl") {
            role.tokenExplicitMaxTTL = try fields.duration("token_explicit_max_ttl")
        } else if fields.has("explicit_max_ttl") {
            role.tokenExplicitMaxTTL = try fields.duration("explicit_max_ttl")
        }
        let cidrs =
            try fields.has("token_bound_cidrs")
            ? fields.stringSlice("token_bound_cidrs")
            : (fields.has("bound_cidrs") ? fields.stringSlice("bound_cidrs") : nil)
        if let cidrs {
            for cidr in cidrs where CIDR.parse(cidr) == nil {
                throw LogicalError.badRequest("invalid CIDR \"\(cidr)\"")
            }
            role.tokenBoundCIDRs = cidrs
        }
        if fields.has("token_no_default_policy") {
            role.tokenNoDefaultPolicy = try fields.bool("token_no_default_policy")
        }
        if fields.has("token_num_uses") {
            let uses = try fields.int("token_num_uses")
            guard uses >= 0 else { throw LogicalError.badRequest("token_num_uses cannot be negative") }
            role.tokenNumUses = uses
        }
        for (name, target) in [("token_ttl", \TokenRole.tokenTTL), ("token_max_ttl", \.tokenMaxTTL)]
        where fields.has(name) {
            let seconds = try fields.duration(name)
            guard seconds >= 0 else { throw LogicalError.badRequest("\(name) cannot be negative") }
            role[keyPath: target] = seconds
        }
        if let ttl = role.tokenTTL, let max = role.tokenMaxTTL, max > 0, ttl > max {
            throw LogicalError.badRequest("\"token_ttl\" cannot be greater than \"token_max_ttl\"")
        }
        if role.tokenType.hasSuffix("batch"),
            role.tokenPeriod > 0 || role.tokenExplicitMaxTTL > 0 || role.tokenNumUses > 0
        {
            if role.tokenType == "batch" {
                throw LogicalError.badRequest("batch tokens cannot have period, explicit max TTL or use limits")
            }
        }
        try await request.storage.putJSON("roles/" + name, role)
        return nil
    }
}
