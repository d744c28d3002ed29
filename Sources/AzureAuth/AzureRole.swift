import CofferFramework

/// A role of the Azure auth method (`role/<name>`): the identities or Azure scopes it binds, and the shared
/// ``TokenParams`` group for the tokens its logins get (with the deprecated spellings Vault's Azure method keeps).
///
/// ```swift
/// var role = AzureRole()
/// let warnings = try role.apply(fields, mountMaxTTL: request.mountMaxTTL)
/// role.token.populate(&auth)   // at login
/// ```
struct AzureRole: Sendable, Equatable {
    var boundServicePrincipalIDs: [String]?
    var boundGroupIDs: [String]?
    var boundSubscriptionIDs: [String]?
    var boundResourceGroups: [String]?
    var boundLocations: [String]?
    var boundScaleSets: [String]?

    var token = TokenParams()
    /// Deprecated aliases, kept so reads show them while set.
    var legacy = TokenParams.Legacy()

    static let bindingMessage =
        "role must bind specific service principals or groups, or a subscription, resource group or scale set"

    static func isWildcard(_ list: [String]?) -> Bool { list == ["*"] }

    /// Specific SP or group ids, or a subscription / resource group / scale set scope
    /// (docs/azure-auth.md § The binding rule).
    var hasValidBinding: Bool {
        let specificSP = !(boundServicePrincipalIDs ?? []).isEmpty && !Self.isWildcard(boundServicePrincipalIDs)
        let specificGroups = !(boundGroupIDs ?? []).isEmpty && !Self.isWildcard(boundGroupIDs)
        let scoped =
            !(boundSubscriptionIDs ?? []).isEmpty || !(boundResourceGroups ?? []).isEmpty
            || !(boundScaleSets ?? []).isEmpty
        return specificSP || specificGroups || scoped
    }

    /// Whether a login must prove its resource through ARM (the gate of docs/azure-auth.md § Resource checks).
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
        ]
        fields.merge(TokenParams.fields) { own, _ in own }
        fields.merge(TokenParams.deprecatedFields(["policies", "ttl", "max_ttl", "period", "num_uses"])) { own, _ in
            own
        }
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

    /// Applies a create/update: the token group, its deprecated spellings, then the bindings (which must leave the
    /// role bound). `mountMaxTTL` is the mount's effective max.
    mutating func apply(_ fields: FieldData, mountMaxTTL: Int64) throws -> [String] {
        var warnings: [String] = []
        try token.parse(fields)
        try legacy.upgrade(fields, into: &token)
        if mountMaxTTL > 0, token.period > mountMaxTTL {
            throw LogicalError.badRequest(
                "token period of \"\(DurationParser.goString(token.period))\" is greater than the backend's maximum lease TTL of \"\(DurationParser.goString(mountMaxTTL))\""
            )
        }

        for field in Self.boundFields where fields.has(field) {
            guard let value = fields.raw[field] else { continue }
            let list = try Self.boundList(value, field: field)
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
        if token.maxTTL > 0, token.ttl > token.maxTTL {
            throw LogicalError.badRequest("ttl should not be greater than max_ttl")
        }
        if mountMaxTTL > 0, token.maxTTL > mountMaxTTL {
            warnings.append(
                "max_ttl is greater than the system or backend mount's maximum TTL value; issued tokens' max TTL value will be truncated"
            )
        }
        return warnings
    }

    /// The `data` of a role read.
    func readData() -> [String: JSONValue] {
        func list(_ value: [String]?) -> JSONValue { value.map { .strings($0) } ?? .null }
        var data: [String: JSONValue] = [
            "bound_service_principal_ids": list(boundServicePrincipalIDs), "bound_group_ids": list(boundGroupIDs),
            "bound_subscription_ids": list(boundSubscriptionIDs), "bound_resource_groups": list(boundResourceGroups),
            "bound_locations": list(boundLocations), "bound_scale_sets": list(boundScaleSets),
        ]
        data.merge(token.readData()) { own, _ in own }
        data.merge(legacy.readData()) { own, _ in own }
        return data
    }

    /// Token parameters for a login.
    func auth(base: Auth) -> Auth {
        var auth = base
        token.populate(&auth)
        return auth
    }
}

extension AzureRole: Codable {
    enum CodingKeys: String, CodingKey {
        case boundServicePrincipalIDs, boundGroupIDs, boundSubscriptionIDs, boundResourceGroups, boundLocations
        case boundScaleSets
    }

    /// The token group and the deprecated values are stored flat beside the bindings, under the member names
    /// roles always used.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        boundServicePrincipalIDs = try container.decodeIfPresent([String].self, forKey: .boundServicePrincipalIDs)
        boundGroupIDs = try container.decodeIfPresent([String].self, forKey: .boundGroupIDs)
        boundSubscriptionIDs = try container.decodeIfPresent([String].self, forKey: .boundSubscriptionIDs)
        boundResourceGroups = try container.decodeIfPresent([String].self, forKey: .boundResourceGroups)
        boundLocations = try container.decodeIfPresent([String].self, forKey: .boundLocations)
        boundScaleSets = try container.decodeIfPresent([String].self, forKey: .boundScaleSets)
        token = try TokenParams(from: decoder)
        legacy = try TokenParams.Legacy(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(boundServicePrincipalIDs, forKey: .boundServicePrincipalIDs)
        try container.encodeIfPresent(boundGroupIDs, forKey: .boundGroupIDs)
        try container.encodeIfPresent(boundSubscriptionIDs, forKey: .boundSubscriptionIDs)
        try container.encodeIfPresent(boundResourceGroups, forKey: .boundResourceGroups)
        try container.encodeIfPresent(boundLocations, forKey: .boundLocations)
        try container.encodeIfPresent(boundScaleSets, forKey: .boundScaleSets)
        try token.encode(to: encoder)
        try legacy.encode(to: encoder)
    }
}
