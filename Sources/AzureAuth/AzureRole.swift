import CofferFramework

/// A role of the Azure auth method (`role/<name>`, spec §2 with §11's binding rule).
struct AzureRole: Codable, Sendable, Equatable {
    var boundServicePrincipalIDs: [String]?
    var boundGroupIDs: [String]?
    var boundSubscriptionIDs: [String]?
    var boundResourceGroups: [String]?
    var boundLocations: [String]?
    var boundScaleSets: [String]?

    var tokenTTL: Int64 = 0
    var tokenMaxTTL: Int64 = 0
    var tokenPeriod: Int64 = 0
    var tokenExplicitMaxTTL: Int64 = 0
    var tokenPolicies: [String] = []
    var tokenBoundCIDRs: [String] = []
    var tokenNoDefaultPolicy = false
    var tokenNumUses: Int64 = 0
    var tokenType = "default"

    // Deprecated aliases, kept so reads show them while set (§2.3).
    var policies: [String] = []
    var ttl: Int64 = 0
    var maxTTL: Int64 = 0
    var period: Int64 = 0
    var numUses: Int64 = 0

    static let bindingMessage =
        "role must bind specific service principals or groups, or a subscription, resource group or scale set"

    static func isWildcard(_ list: [String]?) -> Bool { list == ["*"] }

    /// §11: specific SP or group ids, or a subscription / resource group / scale set scope.
    var hasValidBinding: Bool {
        let specificSP = !(boundServicePrincipalIDs ?? []).isEmpty && !Self.isWildcard(boundServicePrincipalIDs)
        let specificGroups = !(boundGroupIDs ?? []).isEmpty && !Self.isWildcard(boundGroupIDs)
        let scoped =
            !(boundSubscriptionIDs ?? []).isEmpty || !(boundResourceGroups ?? []).isEmpty
            || !(boundScaleSets ?? []).isEmpty
        return specificSP || specificGroups || scoped
    }

    /// Whether a login must prove its resource through ARM (§3.5 gate).
    var needsResourceCheck: Bool {
        !(boundResourceGroups ?? []).isEmpty || !(boundSubscriptionIDs ?? []).isEmpty
            || !(boundLocations ?? []).isEmpty || !(boundScaleSets ?? []).isEmpty
    }

    static let boundFields = [
        "bound_service_principal_ids", "bound_group_ids", "bound_subscription_ids", "bound_resource_groups",
        "bound_locations", "bound_scale_sets",
    ]

    static let fields: [String: FieldSchema] = {
        var fields: [String: FieldSchema] = [
            "name": FieldSchema(.lowerCaseString, description: "Name of the role"),
            "bound_service_principal_ids": FieldSchema(
                .raw, description: "Service principal (oid) ids allowed to log in"),
            "bound_group_ids": FieldSchema(.raw, description: "Group ids whose members may log in"),
            "bound_subscription_ids": FieldSchema(.raw, description: "Subscriptions logins must come from"),
            "bound_resource_groups": FieldSchema(.raw, description: "Resource groups logins must come from"),
            "bound_locations": FieldSchema(.raw, description: "Locations of the VM / scale set / resource"),
            "bound_scale_sets": FieldSchema(.raw, description: "Scale sets logins must come from"),
            "token_ttl": FieldSchema(.duration, description: "Initial TTL of issued tokens"),
            "token_max_ttl": FieldSchema(.duration, description: "Maximum lifetime of issued tokens"),
            "token_period": FieldSchema(.duration, description: "Period of issued (periodic) tokens"),
            "token_explicit_max_ttl": FieldSchema(.duration, description: "Hard lifetime cap of issued tokens"),
            "token_policies": FieldSchema(.commaStringSlice, description: "Policies of issued tokens"),
            "token_bound_cidrs": FieldSchema(.commaStringSlice, description: "CIDRs logins and tokens are bound to"),
            "token_no_default_policy": FieldSchema(.bool, description: "Do not add the default policy"),
            "token_num_uses": FieldSchema(.int, description: "Use limit of issued tokens"),
            "token_type": FieldSchema(.string, description: "service, batch or default"),
            "policies": FieldSchema(.commaStringSlice, description: "Deprecated: use token_policies", deprecated: true),
            "ttl": FieldSchema(.duration, description: "Deprecated: use token_ttl", deprecated: true),
            "max_ttl": FieldSchema(.duration, description: "Deprecated: use token_max_ttl", deprecated: true),
            "period": FieldSchema(.duration, description: "Deprecated: use token_period", deprecated: true),
            "num_uses": FieldSchema(.int, description: "Deprecated: use token_num_uses", deprecated: true),
        ]
        fields["name"]?.required = true
        return fields
    }()

    /// Vault's comma-string-slice for bound lists: elements trimmed, empty elements kept, `""` = [].
    static func boundList(_ value: JSONValue, field: String) throws -> [String] {
        switch value {
        case .string(let text):
            if text.isEmpty { return [] }
            return text.split(separator: ",", omittingEmptySubsequences: false).map { String($0).trimmedWhitespace }
        case .array(let items):
            return try items.map {
                switch $0 {
                case .string(let s): return s.trimmedWhitespace
                case .int(let i): return String(i)
                case .double(let d): return String(d)
                default:
                    throw LogicalError.badRequest(
                        "error converting input for field \"\(field)\": expected a list of strings")
                }
            }
        case .int(let i): return [String(i)]
        case .null: return []
        default:
            throw LogicalError.badRequest("error converting input for field \"\(field)\": expected a list of strings")
        }
    }

    /// The longest token duration accepted (Go's `time.Duration`, what Vault accepts), in seconds.
    static let maxDuration: Int64 = AzureConfig.maxDuration
    /// Token use counts beyond this are not a limit anyone means, and stay far from any overflow downstream.
    static let maxNumUses = Int64(Int32.max)

    /// A present duration field: negative is the reference's 400, beyond ``maxDuration`` a 400 naming it.
    static func tokenDuration(_ fields: FieldData, _ name: String) throws -> Int64 {
        let value = try fields.duration(name)
        if value < 0 { throw LogicalError.badRequest("'\(name)' cannot be negative") }
        return try AzureConfig.checked(value, name, 0...maxDuration)
    }

    /// Applies a create/update (spec §2.4 order, §11 binding rule). `mountMaxTTL` is the mount's effective max.
    mutating func apply(_ fields: FieldData, mountMaxTTL: Int64) throws -> [String] {
        var warnings: [String] = []
        // Token fields (tokenutil).
        if fields.has("token_ttl") { tokenTTL = try Self.tokenDuration(fields, "token_ttl") }
        if fields.has("token_max_ttl") { tokenMaxTTL = try Self.tokenDuration(fields, "token_max_ttl") }
        if fields.has("token_period") { tokenPeriod = try Self.tokenDuration(fields, "token_period") }
        if fields.has("token_explicit_max_ttl") {
            tokenExplicitMaxTTL = try Self.tokenDuration(fields, "token_explicit_max_ttl")
        }
        if fields.has("token_policies") { tokenPolicies = try fields.stringSlice("token_policies") }
        if fields.has("token_bound_cidrs") {
            let cidrs = try fields.stringSlice("token_bound_cidrs")
            for cidr in cidrs where CIDR.parse(cidr) == nil {
                throw LogicalError.badRequest("invalid CIDR address: \(cidr)")
            }
            tokenBoundCIDRs = cidrs
        }
        if fields.has("token_no_default_policy") { tokenNoDefaultPolicy = try fields.bool("token_no_default_policy") }
        if fields.has("token_num_uses") {
            tokenNumUses = try fields.int("token_num_uses")
            if tokenNumUses < 0 { throw LogicalError.badRequest("'token_num_uses' cannot be negative") }
            _ = try AzureConfig.checked(tokenNumUses, "token_num_uses", 0...Self.maxNumUses)
        }
        if fields.has("token_type") {
            let type = try fields.string("token_type")
            switch type {
            case "", "default": tokenType = "default"
            case "service", "batch", "default-service", "default-batch": tokenType = type
            default: throw LogicalError.badRequest("invalid 'token_type' value \"\(type)\"")
            }
        }
        if tokenTTL > 0, tokenMaxTTL > 0, tokenTTL > tokenMaxTTL {
            throw LogicalError.badRequest("'token_ttl' cannot be greater than 'token_max_ttl'")
        }
        if tokenType.hasSuffix("batch"), tokenPeriod > 0 {
            throw LogicalError.badRequest(
                "'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens")
        }
        if tokenType.hasSuffix("batch"), tokenNumUses > 0 {
            throw LogicalError.badRequest(
                "'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count")
        }

        // Deprecated aliases (§2.3).
        if fields.has("token_policies") {
            if fields.has("policies") { policies = tokenPolicies } else { policies = [] }
        } else if fields.has("policies") {
            var set = Set(
                try fields.stringSlice("policies").map { $0.trimmedWhitespace.lowercased() }.filter { !$0.isEmpty })
            if set.contains("root") { set = ["root"] }
            policies = set.sorted()
            tokenPolicies = policies
        }
        func upgrade(_ new: String, _ old: String, _ newValue: inout Int64, _ oldValue: inout Int64, int: Bool = false)
            throws
        {
            if fields.has(new) {
                oldValue = fields.has(old) ? newValue : 0
            } else if fields.has(old) {
                oldValue = int ? try fields.int(old) : try fields.duration(old)
                // A negative legacy use count keeps the reference's message below; anything else out of range is
                // refused here, naming the legacy field.
                if !(int && oldValue < 0) {
                    _ = try AzureConfig.checked(oldValue, old, 0...(int ? Self.maxNumUses : Self.maxDuration))
                }
                newValue = oldValue
            }
        }
        try upgrade("token_ttl", "ttl", &tokenTTL, &ttl)
        try upgrade("token_max_ttl", "max_ttl", &tokenMaxTTL, &maxTTL)
        try upgrade("token_period", "period", &tokenPeriod, &period)
        try upgrade("token_num_uses", "num_uses", &tokenNumUses, &numUses, int: true)

        if mountMaxTTL > 0, tokenPeriod > mountMaxTTL {
            throw LogicalError.badRequest(
                "token period of \"\(DurationParser.goString(tokenPeriod))\" is greater than the backend's maximum lease TTL of \"\(DurationParser.goString(mountMaxTTL))\""
            )
        }
        if tokenNumUses < 0 { throw LogicalError.badRequest("token num uses cannot be negative") }

        for field in Self.boundFields where fields.has(field) {
            let list = try Self.boundList(fields.raw[field]!, field: field)
            switch field {
            case "bound_service_principal_ids": boundServicePrincipalIDs = list
            case "bound_group_ids": boundGroupIDs = list
            case "bound_subscription_ids": boundSubscriptionIDs = list
            case "bound_resource_groups": boundResourceGroups = list
            case "bound_locations": boundLocations = list
            default: boundScaleSets = list
            }
        }
        guard hasValidBinding else { throw LogicalError.badRequest(Self.bindingMessage) }
        if tokenMaxTTL > 0, tokenTTL > tokenMaxTTL {
            throw LogicalError.badRequest("ttl should not be greater than max_ttl")
        }
        if mountMaxTTL > 0, tokenMaxTTL > mountMaxTTL {
            warnings.append(
                "max_ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated"
            )
        }
        return warnings
    }

    /// The `data` of a role read (§2.5).
    func readData() -> [String: JSONValue] {
        func list(_ value: [String]?) -> JSONValue { value.map { .strings($0) } ?? .null }
        var data: [String: JSONValue] = [
            "bound_service_principal_ids": list(boundServicePrincipalIDs), "bound_group_ids": list(boundGroupIDs),
            "bound_subscription_ids": list(boundSubscriptionIDs), "bound_resource_groups": list(boundResourceGroups),
            "bound_locations": list(boundLocations), "bound_scale_sets": list(boundScaleSets),
            "token_bound_cidrs": .strings(tokenBoundCIDRs), "token_explicit_max_ttl": .int(tokenExplicitMaxTTL),
            "token_max_ttl": .int(tokenMaxTTL), "token_no_default_policy": .bool(tokenNoDefaultPolicy),
            "token_period": .int(tokenPeriod), "token_policies": .strings(tokenPolicies),
            "token_type": .string(tokenType), "token_ttl": .int(tokenTTL), "token_num_uses": .int(tokenNumUses),
        ]
        if !policies.isEmpty { data["policies"] = .strings(policies) }
        if ttl > 0 { data["ttl"] = .int(ttl) }
        if maxTTL > 0 { data["max_ttl"] = .int(maxTTL) }
        if period > 0 { data["period"] = .int(period) }
        if numUses > 0 { data["num_uses"] = .int(numUses) }
        return data
    }

    /// Token parameters for a login (§3.8).
    func auth(base: Auth) -> Auth {
        var auth = base
        auth.policies = tokenPolicies
        auth.ttl = tokenTTL
        auth.maxTTL = tokenMaxTTL
        auth.period = tokenPeriod
        auth.explicitMaxTTL = tokenExplicitMaxTTL
        auth.numUses = tokenNumUses
        auth.noDefaultPolicy = tokenNoDefaultPolicy
        auth.boundCIDRs = tokenBoundCIDRs
        auth.tokenType = tokenType == "default" ? "" : tokenType
        auth.renewable = true
        return auth
    }
}
