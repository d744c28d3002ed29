/// The token settings a role hands to the tokens it issues (`token_ttl`, `token_policies`, …), shared by every
/// auth method's roles and the token store's roles, as Vault's `tokenutil` is. Declaring the fields, parsing a
/// write, showing a read and filling a login's ``Auth`` are written here once, with one set of error texts.
///
/// ```swift
/// // A role path declares the group next to its own fields:
/// let fields = myFields.merging(TokenParams.fields) { own, _ in own }
/// // A role write parses it (errors are 400s with Vault's texts):
/// try role.token.parse(fieldData)
/// // A role read shows it; a login fills the auth from it:
/// data.merge(role.token.readData()) { own, _ in own }
/// role.token.populate(&auth)
/// ```
///
/// Stored inside a role's record, the settings keep the member names roles have always used (`tokenTTL`,
/// `tokenPolicies`, …), so a role that embeds them encodes them flat beside its own members.
public struct TokenParams: Sendable, Equatable {
    /// Seconds; 0 = the mount's default.
    public var ttl: Int64 = 0
    /// Seconds from issue, renewals included; 0 = the mount's max.
    public var maxTTL: Int64 = 0
    /// Seconds; non-zero makes periodic tokens.
    public var period: Int64 = 0
    /// Seconds from issue that no renewal or tuning can extend; 0 = none.
    public var explicitMaxTTL: Int64 = 0
    public var policies: [String] = []
    /// CIDR blocks the issued tokens (and, for auth methods, the logins) are bound to.
    public var boundCIDRs: [String] = []
    public var noDefaultPolicy = false
    /// 0 = unlimited.
    public var numUses: Int64 = 0
    public var type: TokenType = .default

    public init(type: TokenType = .default) { self.type = type }

    /// Use counts beyond this are not a limit anyone means, and stay far from any overflow downstream.
    public static let maxNumUses = Int64(Int32.max)

    /// Applies the `token_*` fields the request sent, then checks the whole group as Vault's `ParseTokenFields`
    /// does. `choices` are the `token_type` values the caller's roles accept.
    public mutating func parse(_ fields: FieldData, choices: [TokenType] = TokenType.authMethodChoices) throws {
        if fields.has("token_bound_cidrs") {
            boundCIDRs = try Self.checkedCIDRs(fields.stringSlice("token_bound_cidrs"))
        }
        if fields.has("token_explicit_max_ttl") {
            explicitMaxTTL = try Self.nonNegative(fields.duration("token_explicit_max_ttl"), "token_explicit_max_ttl")
        }
        if fields.has("token_max_ttl") {
            maxTTL = try Self.nonNegative(fields.duration("token_max_ttl"), "token_max_ttl")
        }
        if fields.has("token_no_default_policy") { noDefaultPolicy = try fields.bool("token_no_default_policy") }
        if fields.has("token_period") { period = try Self.nonNegative(fields.duration("token_period"), "token_period") }
        if fields.has("token_policies") { policies = try fields.stringSlice("token_policies") }
        if fields.has("token_type") { type = try Self.tokenType(fields.string("token_type"), choices: choices) }
        if fields.has("token_num_uses") { numUses = try Self.numUses(fields.int("token_num_uses"), "token_num_uses") }
        if fields.has("token_ttl") { ttl = try Self.nonNegative(fields.duration("token_ttl"), "token_ttl") }
        try validate()
    }

    /// The rules that hold between the settings, whichever fields set them.
    public func validate() throws {
        if type.prefersBatch, period != 0 {
            throw LogicalError.badRequest(
                "'token_type' cannot be 'batch' or 'default_batch' when set to generate periodic tokens")
        }
        if type.prefersBatch, numUses != 0 {
            throw LogicalError.badRequest(
                "'token_type' cannot be 'batch' or 'default_batch' when set to generate tokens with limited use count")
        }
        if ttl > 0, maxTTL > 0, ttl > maxTTL {
            throw LogicalError.badRequest("'token_ttl' cannot be greater than 'token_max_ttl'")
        }
    }

    /// Fills a login's token settings from the role (Vault's `PopulateTokenAuth`); login tokens are renewable.
    public func populate(_ auth: inout Auth) {
        auth.boundCIDRs = boundCIDRs
        auth.explicitMaxTTL = explicitMaxTTL
        auth.maxTTL = maxTTL
        auth.noDefaultPolicy = noDefaultPolicy
        auth.period = period
        auth.policies = policies
        auth.renewable = true
        auth.tokenType = type
        auth.ttl = ttl
        auth.numUses = numUses
    }

    /// The group as a role read shows it (Vault's `PopulateTokenData`): every field, lists never null.
    public func readData() -> [String: JSONValue] {
        [
            "token_bound_cidrs": .strings(boundCIDRs), "token_explicit_max_ttl": .int(explicitMaxTTL),
            "token_max_ttl": .int(maxTTL), "token_no_default_policy": .bool(noDefaultPolicy),
            "token_period": .int(period), "token_policies": .strings(policies), "token_type": .string(type.rawValue),
            "token_ttl": .int(ttl), "token_num_uses": .int(numUses),
        ]
    }

    /// Policy names as Vault's `policyutil` keeps them: trimmed, lower-cased, de-duplicated and sorted, `default`
    /// added when asked; `root` alone wins.
    public static func sanitizedPolicies(_ names: [String], addDefault: Bool = false) -> [String] {
        var set = Set(names.map { $0.trimmedWhitespace.lowercased() }.filter { !$0.isEmpty })
        if set.contains("root") { return ["root"] }
        if addDefault { set.insert("default") }
        return set.sorted()
    }

    // MARK: checks shared with the deprecated aliases

    static func nonNegative(_ seconds: Int64, _ name: String) throws -> Int64 {
        if seconds < 0 { throw LogicalError.badRequest("'\(name)' cannot be negative") }
        return seconds
    }

    static func numUses(_ count: Int64, _ name: String) throws -> Int64 {
        if count < 0 { throw LogicalError.badRequest("'\(name)' cannot be negative") }
        if count > maxNumUses { throw LogicalError.badRequest("\(name) must be between 0 and \(maxNumUses)") }
        return count
    }

    static func checkedCIDRs(_ cidrs: [String]) throws -> [String] {
        for cidr in cidrs where CIDR.parse(cidr) == nil {
            throw LogicalError.badRequest("invalid CIDR address: \(cidr)")
        }
        return cidrs
    }

    static func tokenType(_ text: String, choices: [TokenType]) throws -> TokenType {
        let parsed = text.isEmpty ? TokenType.default : TokenType(rawValue: text)
        guard let parsed, choices.contains(parsed) else {
            throw LogicalError.badRequest("invalid 'token_type' value \"\(text)\"")
        }
        return parsed
    }
}
