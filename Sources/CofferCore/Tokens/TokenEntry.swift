import CofferFramework
import Foundation

/// A token's stored state. The token string itself is never stored: entries are keyed by its
/// salted HMAC (``TokenStore``), and batch tokens carry their entry encrypted inside the token.
///
/// Stored with its own hand-written JSON form (`TokenEntry+JSON.swift`), never through `Codable`.
public struct TokenEntry: Sendable, Equatable {
    public var idHash: String
    public var accessor: String
    public var parentHash: String?
    public var policies: [String]
    /// Creation path, e.g. `auth/token/create` or `auth/azure/login`.
    public var path: String
    public var meta: [String: String]?
    public var displayName: String
    /// 0 = unlimited; otherwise uses left.
    public var numUses: Int64
    public var creationTime: Double
    /// Seconds granted at creation or last renewal; 0 = never expires.
    public var ttl: Int64
    public var creationTTL: Int64
    public var explicitMaxTTL: Int64
    public var period: Int64
    /// Cap from the role/method/mount at issue time (seconds from creation), 0 = none beyond the mount.
    public var maxTTL: Int64
    public var renewable: Bool
    /// `.service` or `.batch`: issued tokens always have a resolved kind.
    public var type: TokenType
    public var boundCIDRs: [String]
    public var entityID: String
    public var role: String?
    public var lastRenewalTime: Double?
    /// Absolute expiry (unix seconds), nil = never.
    public var expireTime: Double?
    /// For login tokens: the auth mount that issued it, and what it said (handed back on renewal).
    public var authMountAccessor: String?
    public var auth: Auth?
    public var createdByID: Bool

    public init(
        idHash: String, accessor: String, parentHash: String?, policies: [String], path: String,
        meta: [String: String]?, displayName: String, numUses: Int64, creationTime: Double, ttl: Int64,
        explicitMaxTTL: Int64, period: Int64, maxTTL: Int64, renewable: Bool, type: TokenType, boundCIDRs: [String],
        entityID: String
    ) {
        self.idHash = idHash
        self.accessor = accessor
        self.parentHash = parentHash
        self.policies = policies
        self.path = path
        self.meta = meta
        self.displayName = displayName
        self.numUses = numUses
        self.creationTime = creationTime
        self.ttl = ttl
        self.creationTTL = ttl
        self.explicitMaxTTL = explicitMaxTTL
        self.period = period
        self.maxTTL = maxTTL
        self.renewable = renewable
        self.type = type
        self.boundCIDRs = boundCIDRs
        self.entityID = entityID
        self.expireTime = ttl > 0 ? creationTime + Double(ttl) : nil
        self.createdByID = false
    }

    public var isRoot: Bool { policies == ["root"] }
    public var isBatch: Bool { type == .batch }

    public func isExpired(now: Double) -> Bool {
        guard let expireTime else { return false }
        return expireTime <= now
    }

    /// Remaining whole seconds (0 for non-expiring tokens).
    public func remainingTTL(now: Double) -> Int64 {
        guard let expireTime else { return 0 }
        return max(0, Int64((expireTime - now).rounded(.down)))
    }
}
