extension TokenParams {
    /// What a role's deprecated spellings (``TokenParams/deprecatedFields``) were last set to, kept so role reads
    /// show them while in use, as Vault's `tokenutil.UpgradeValue` does.
    ///
    /// ```swift
    /// try role.token.parse(fields)
    /// try role.legacy.upgrade(fields, into: &role.token)   // `ttl` alone sets token_ttl too
    /// data.merge(role.legacy.readData()) { own, _ in own }
    /// ```
    ///
    /// Only the spellings the path declares are read. Stored beside a role's own members under these names.
    public struct Legacy: Sendable, Equatable, Codable {
        public var policies: [String] = []
        public var ttl: Int64 = 0
        public var maxTTL: Int64 = 0
        public var period: Int64 = 0
        public var numUses: Int64 = 0
        public var explicitMaxTTL: Int64 = 0
        public var boundCIDRs: [String] = []

        public init() {}

        /// Absent members take their defaults: roles stored only the spellings they accepted.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            policies = try container.decodeIfPresent([String].self, forKey: .policies) ?? []
            ttl = try container.decodeIfPresent(Int64.self, forKey: .ttl) ?? 0
            maxTTL = try container.decodeIfPresent(Int64.self, forKey: .maxTTL) ?? 0
            period = try container.decodeIfPresent(Int64.self, forKey: .period) ?? 0
            numUses = try container.decodeIfPresent(Int64.self, forKey: .numUses) ?? 0
            explicitMaxTTL = try container.decodeIfPresent(Int64.self, forKey: .explicitMaxTTL) ?? 0
            boundCIDRs = try container.decodeIfPresent([String].self, forKey: .boundCIDRs) ?? []
        }

        /// For each declared deprecated field: sent alone, it sets its `token_` twin too; sent with the twin, it
        /// mirrors the twin; the twin sent alone clears it.
        public mutating func upgrade(_ fields: FieldData, into params: inout TokenParams) throws {
            func declared(_ old: String) -> Bool { fields.schema[old] != nil }
            if declared("policies") {
                if fields.has("token_policies") {
                    policies = fields.has("policies") ? params.policies : []
                } else if fields.has("policies") {
                    policies = TokenParams.sanitizedPolicies(try fields.stringSlice("policies"))
                    params.policies = policies
                }
            }
            for (new, old, keyPath, oldKeyPath) in Self.durations where declared(old) {
                if fields.has(new) {
                    self[keyPath: oldKeyPath] = fields.has(old) ? params[keyPath: keyPath] : 0
                } else if fields.has(old) {
                    let seconds = try fields.duration(old)
                    guard seconds >= 0 else {
                        throw LogicalError.badRequest("\(old) must be between 0 and \(DurationParser.maxSeconds)")
                    }
                    self[keyPath: oldKeyPath] = seconds
                    params[keyPath: keyPath] = seconds
                }
            }
            try upgradeNumUses(fields, into: &params)
            if declared("bound_cidrs") {
                if fields.has("token_bound_cidrs") {
                    boundCIDRs = fields.has("bound_cidrs") ? params.boundCIDRs : []
                } else if fields.has("bound_cidrs") {
                    boundCIDRs = try TokenParams.checkedCIDRs(fields.stringSlice("bound_cidrs"))
                    params.boundCIDRs = boundCIDRs
                }
            }
        }

        /// A negative legacy count keeps the reference's own text (which spells it "num uses").
        mutating func upgradeNumUses(_ fields: FieldData, into params: inout TokenParams) throws {
            guard fields.schema["num_uses"] != nil else { return }
            if fields.has("token_num_uses") {
                numUses = fields.has("num_uses") ? params.numUses : 0
            } else if fields.has("num_uses") {
                let count = try fields.int("num_uses")
                if count < 0 { throw LogicalError.badRequest("token num uses cannot be negative") }
                numUses = try TokenParams.numUses(count, "num_uses")
                params.numUses = numUses
            }
        }

        /// The deprecated spellings that are set, as a role read shows them.
        public func readData() -> [String: JSONValue] {
            var data: [String: JSONValue] = [:]
            if !policies.isEmpty { data["policies"] = .strings(policies) }
            if ttl > 0 { data["ttl"] = .int(ttl) }
            if maxTTL > 0 { data["max_ttl"] = .int(maxTTL) }
            if period > 0 { data["period"] = .int(period) }
            if numUses > 0 { data["num_uses"] = .int(numUses) }
            if explicitMaxTTL > 0 { data["explicit_max_ttl"] = .int(explicitMaxTTL) }
            if !boundCIDRs.isEmpty { data["bound_cidrs"] = .strings(boundCIDRs) }
            return data
        }

        /// Each duration spelling with its twin: `(twin, old, twin's value, old value)`.
        static var durations: [(String, String, WritableKeyPath<TokenParams, Int64>, WritableKeyPath<Legacy, Int64>)] {
            [
                ("token_ttl", "ttl", \.ttl, \.ttl), ("token_max_ttl", "max_ttl", \.maxTTL, \.maxTTL),
                ("token_period", "period", \.period, \.period),
                ("token_explicit_max_ttl", "explicit_max_ttl", \.explicitMaxTTL, \.explicitMaxTTL),
            ]
        }
    }
}
