import CofferFramework

/// A secret id as stored at `secret_id/<role>/<salted HMAC of the secret id>`: never the secret id itself, only
/// what a lookup shows and what a login checks.
///
/// ```swift
/// let entry = AppRoleSecretID(accessor: accessor, numUses: 3, ttl: 600, now: now)
/// entry.isExpired(at: now + 601)   // true
/// ```
struct AppRoleSecretID: Codable, Sendable, Equatable {
    var accessor: String
    /// Uses left; 0 = unlimited.
    var numUses: Int64
    /// Seconds from creation; 0 = never expires.
    var ttl: Int64
    /// Seconds since 1970.
    var creationTime: Double
    var lastUpdatedTime: Double
    var metadata: [String: String] = [:]
    var cidrList: [String] = []
    var tokenBoundCIDRs: [String] = []

    init(accessor: String, numUses: Int64, ttl: Int64, now: Double) {
        self.accessor = accessor
        self.numUses = numUses
        self.ttl = ttl
        self.creationTime = now
        self.lastUpdatedTime = now
    }

    /// Seconds since 1970, or nil when the secret id never expires.
    var expirationTime: Double? { ttl > 0 ? creationTime + Double(ttl) : nil }

    func isExpired(at now: Double) -> Bool { expirationTime.map { now >= $0 } ?? false }

    /// What `secret-id/lookup` and `secret-id-accessor/lookup` show.
    func lookupData() -> [String: JSONValue] {
        [
            "secret_id_accessor": .string(accessor), "secret_id_num_uses": .int(numUses), "secret_id_ttl": .int(ttl),
            "creation_time": .string(RFC3339.string(unixSeconds: creationTime)),
            "expiration_time": .string(
                expirationTime.map { RFC3339.string(unixSeconds: $0) } ?? "0001-01-01T00:00:00Z"),
            "last_updated_time": .string(RFC3339.string(unixSeconds: lastUpdatedTime)),
            "metadata": .stringMap(metadata), "cidr_list": .strings(cidrList),
            "token_bound_cidrs": .strings(tokenBoundCIDRs),
        ]
    }
}
