import CofferFramework

/// The fields of an `auth/token/create*` request, read and checked on their own and then against what the
/// caller may do, before any policy is resolved.
///
/// ```swift
/// var create = try TokenCreateRequest(fields, orphanPath: false)
/// try create.checkPrivileges(sudo: false, hasRole: false)   // a custom id, a period or no_parent need sudo
/// ```
struct TokenCreateRequest {
    var ttl: Int64
    var explicitMaxTTL: Int64
    var period: Int64
    var numUses: Int64
    var customID: String
    var noParent: Bool
    var noDefaultPolicy: Bool
    /// As sent; empty when the request leaves the type to the role (or to `service`).
    var type: String
    /// Nil when the request sent none.
    var policies: [String]?
    var meta: [String: String]?
    var displayName: String
    var renewable: Bool
    /// Whether the new token has no parent: `create-orphan`, `no_parent`, or an orphan role.
    var orphan: Bool
    /// Whether the request came through `create-orphan` (recorded as the token's path).
    let orphanPath: Bool

    init(_ fields: FieldData, orphanPath: Bool) throws {
        ttl = try fields.has("ttl") ? fields.duration("ttl") : fields.duration("lease")
        explicitMaxTTL = try fields.duration("explicit_max_ttl")
        period = try fields.duration("period")
        numUses = try fields.int("num_uses")
        customID = try fields.string("id")
        noParent = try fields.bool("no_parent")
        noDefaultPolicy = try fields.bool("no_default_policy")
        type = try fields.string("type")
        policies = try fields.has("policies") ? fields.stringSlice("policies") : nil
        meta = try fields.has("meta") ? fields.keyPairs("meta") : nil
        displayName = Self.displayName(try fields.string("display_name"))
        renewable = try fields.bool("renewable")
        orphan = orphanPath
        self.orphanPath = orphanPath
        if ttl < 0 { throw LogicalError.badRequest("ttl must be positive") }
        if explicitMaxTTL < 0 { throw LogicalError.badRequest("explicit_max_ttl must be positive") }
        if period < 0 { throw LogicalError.badRequest("period must be positive") }
        if numUses < 0 { throw LogicalError.badRequest("number of uses cannot be negative") }
    }

    /// A custom token id, a periodic token without a role, and `no_parent` outside `create-orphan` need sudo.
    mutating func checkPrivileges(sudo: Bool, hasRole: Bool) throws {
        if !customID.isEmpty {
            guard sudo else { throw LogicalError.badRequest("root or sudo privileges required to specify token id") }
            if customID.hasPrefix("hvs.") {
                throw LogicalError.badRequest("custom token ID cannot have the 'hvs.' prefix")
            }
            if customID.hasPrefix("s.") { throw LogicalError.badRequest("custom token ID cannot have the 's.' prefix") }
            if customID.contains(".") {
                throw LogicalError.badRequest("custom token ID cannot have a '.' in the value")
            }
        }
        if period > 0, !hasRole, !sudo {
            throw LogicalError.badRequest("root or sudo privileges required to create periodic token")
        }
        if noParent {
            guard sudo || orphan else {
                throw LogicalError.badRequest("root or sudo privileges required to create orphan token")
            }
            orphan = true
        }
    }

    /// A role's limits narrow the request's: the shorter period and explicit max, the lower use count, the role's
    /// TTL when none was asked for, and orphans when the role makes them.
    mutating func apply(_ role: TokenRole) {
        let token = role.token
        if role.orphan { orphan = true }
        if token.period > 0 { period = period > 0 ? min(period, token.period) : token.period }
        if token.explicitMaxTTL > 0 {
            explicitMaxTTL = explicitMaxTTL > 0 ? min(explicitMaxTTL, token.explicitMaxTTL) : token.explicitMaxTTL
        }
        if token.numUses > 0, numUses == 0 || numUses > token.numUses { numUses = token.numUses }
        if ttl == 0 { ttl = token.ttl }
    }

    /// The token's kind: the request's, within what the role allows, else the role's default, else `service`;
    /// batch tokens refuse what only service tokens can have.
    func resolvedType(role: TokenRole?, policies: [String]) throws -> TokenType {
        var requested = type
        if let role {
            if requested.isEmpty {
                requested = role.token.type.prefersBatch ? "batch" : "service"
            } else if role.token.type == .service && requested != "service"
                || role.token.type == .batch && requested != "batch"
            {
                throw LogicalError.badRequest("token type \"\(requested)\" not allowed by role")
            }
        }
        guard let kind = requested.isEmpty ? .service : TokenType(rawValue: requested),
            kind == .service || kind == .batch
        else { throw LogicalError.badRequest("invalid 'type' value \"\(requested)\"") }
        if kind == .batch {
            if policies == ["root"] { throw LogicalError.badRequest("batch tokens cannot be root tokens") }
            if period > 0 { throw LogicalError.badRequest("batch tokens cannot have \"period\" set") }
            if explicitMaxTTL > 0 { throw LogicalError.badRequest("batch tokens cannot have \"explicit_max_ttl\" set") }
            if numUses > 0 { throw LogicalError.badRequest("batch tokens cannot have \"num_uses\" set") }
            if !customID.isEmpty { throw LogicalError.badRequest("batch tokens cannot have a custom ID") }
        }
        return kind
    }

    /// `token-<name>` with anything but ASCII letters, digits, `_` and `-` collapsed to one `-`; plain `token`
    /// when none (or `token`) was asked for.
    static func displayName(_ requested: String) -> String {
        guard !requested.isEmpty, requested != "token" else { return "token" }
        var cleaned = ""
        var lastDash = false
        for char in requested {
            if char.isASCII, char.isLetter || char.isNumber || char == "_" || char == "-" {
                cleaned.append(char)
                lastDash = false
            } else if !lastDash {
                cleaned.append("-")
                lastDash = true
            }
        }
        while cleaned.hasSuffix("-") { cleaned.removeLast() }
        return "token-" + cleaned
    }
}
