import CofferFramework

/// Mints every token Coffer issues: the token store's `create` and every auth method's login both describe the
/// token they want as an ``Order`` and hand it here, so lifetimes, accessors, batch against service tokens and
/// storing are decided in one place.
///
/// ```swift
/// var order = TokenIssuer.Order(
///     policies: ["default", "dev"], path: "auth/azure/login", displayName: "azure-oid", mountConfig: mount.config)
/// order.ttl = role.token.ttl
/// let issued = try await TokenIssuer(core: core).issue(order)
/// issued.id        // the client token, shown once
/// issued.warnings  // e.g. the TTL was capped
/// ```
struct TokenIssuer {
    let core: Core

    /// The token wanted, after the request was parsed and its policies resolved.
    struct Order {
        /// Final, sanitised policy names.
        var policies: [String]
        /// The creation path recorded with the token (`auth/token/create`, `auth/azure/login`).
        var path: String
        var displayName: String
        /// Tuning of the mount the token's lifetime is bounded by.
        var mountConfig: MountConfig
        var meta: [String: String]? = nil
        /// `.service` or `.batch`, already resolved against role and mount defaults.
        var type: TokenType = .service
        /// Requested seconds; 0 = the mount's default.
        var ttl: Int64 = 0
        /// The role's or method's cap, 0 = the mount's.
        var maxTTL: Int64 = 0
        var explicitMaxTTL: Int64 = 0
        var period: Int64 = 0
        var numUses: Int64 = 0
        /// Whether the caller allows renewal; the token is renewable only if it is also an expiring service token.
        var renewable = true
        var boundCIDRs: [String] = []
        var entityID = ""
        /// The token creating this one; nil for a login.
        var creator: TokenEntry? = nil
        /// Whether the new token has no parent (always, for a login).
        var orphan = true
        /// A caller-chosen token ID (service tokens only; the caller checked it may choose one).
        var customID = ""
        var role: String? = nil
        /// For a login: the auth mount and what it said, kept for renewals.
        var authMountAccessor: String? = nil
        var auth: Auth? = nil
    }

    /// The minted token and what the caller should be told about it.
    struct Issued {
        var id: String
        var entry: TokenEntry
        var warnings: [String]
    }

    static let customIDWarning =
        "Supplying a custom ID for the token uses the weaker SHA1 hashing instead of the more secure SHA2-256 HMAC for token obfuscation. SHA1 hashed tokens on the wire leads to less secure lookups."

    func issue(_ order: Order) async throws -> Issued {
        for name in order.policies where PolicyStore.reservedNames.contains(name) {
            throw LogicalError.badRequest("cannot assign policy \"\(name)\"")
        }
        var warnings: [String] = []
        let ttl = try lifetime(order, warnings: &warnings)
        var entry = TokenEntry(
            idHash: "", accessor: order.type == .batch ? "" : TokenStore.newAccessor(),
            parentHash: order.orphan ? nil : order.creator?.idHash, policies: order.policies, path: order.path,
            meta: order.meta?.isEmpty == true ? nil : order.meta, displayName: order.displayName,
            numUses: order.numUses, creationTime: core.now, ttl: ttl, explicitMaxTTL: order.explicitMaxTTL,
            period: order.period, maxTTL: order.maxTTL,
            renewable: order.renewable && ttl > 0 && order.type == .service, type: order.type,
            // A never-expiring token the token store creates carries no CIDR binding; a login always keeps the
            // binding its method asked for (dropping it could only widen where the token works).
            boundCIDRs: ttl == 0 && order.auth == nil ? [] : order.boundCIDRs, entityID: order.entityID)
        entry.role = order.role
        entry.authMountAccessor = order.authMountAccessor
        entry.auth = order.auth
        let tokens = try core.unsealed().tokens
        if order.type == .batch {
            let id = try tokens.makeBatchToken(entry)
            core.recordTokenCreation(entry)
            return Issued(id: id, entry: entry, warnings: warnings)
        }
        let id: String
        if order.customID.isEmpty {
            id = TokenStore.newServiceTokenID()
        } else {
            id = order.customID
            entry.createdByID = true
            warnings.append(Self.customIDWarning)
        }
        entry = try await tokens.create(entry, id: id)
        core.recordTokenCreation(entry)
        return Issued(id: id, entry: entry, warnings: warnings)
    }

    /// Seconds the new token lives: Vault's TTL rules against the mount, a root token's own rule, and the parent's
    /// remaining life as a cap for a non-periodic child.
    func lifetime(_ order: Order, warnings: inout [String]) throws -> Int64 {
        var ttl: Int64
        if order.policies == ["root"], order.ttl == 0, order.period == 0, order.explicitMaxTTL == 0 {
            if let creator = order.creator, creator.ttl > 0 {
                throw LogicalError.badRequest("expiring root tokens cannot create non-expiring root tokens")
            }
            ttl = 0
        } else {
            let limits = TokenTTL.Limits(
                config: order.mountConfig, systemDefault: core.configuration.defaultLeaseTTL,
                systemMax: core.configuration.maxLeaseTTL)
            let (computed, warning) = TokenTTL.initial(
                requested: order.ttl, period: order.period, explicitMax: order.explicitMaxTTL,
                methodMax: order.maxTTL, limits: limits)
            ttl = computed
            if let warning { warnings.append(warning) }
        }
        // A non-periodic child never outlives its parent: a batch child cannot be renewed past it, and a service
        // child is revoked with it anyway.
        if !order.orphan, order.period == 0, let parentExpiry = order.creator?.expireTime {
            let remaining = max(Int64((parentExpiry - core.now).rounded(.down)), 1)
            if ttl == 0 || ttl > remaining { ttl = remaining }
        }
        return ttl
    }
}
