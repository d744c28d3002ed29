import CofferFramework

/// The token store as `sys/leases` sees it: every service token that expires has a lease whose id is its
/// creation path and `h` + its salted HMAC, as Vault forms it (docs/leases.md).
///
/// ```swift
/// TokenStore.leaseID(entry)                       // "auth/userpass/login/alice/h3f9…", nil for root tokens
/// let hashes = try await tokens.hashes(issuedByMount: mount.accessor)
/// ```
extension TokenStore {
    /// The token's lease id, or nil when it has none: batch tokens and tokens that never expire.
    static func leaseID(_ entry: TokenEntry) -> String? {
        guard !entry.isBatch, entry.expireTime != nil, !entry.idHash.isEmpty else { return nil }
        return entry.path + "/h" + entry.idHash
    }

    /// The stored hash a lease id names, when its last segment has the form `h<64 hex digits>`.
    static func hash(ofLeaseID leaseID: String) -> String? {
        guard let slash = leaseID.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        let last = leaseID.utf8[leaseID.utf8.index(after: slash)...]
        guard last.first == UInt8(ascii: "h"), last.count == 65 else { return nil }
        let hex = last.dropFirst()
        let isHex = hex.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
        return isHex ? String(Substring(hex)) : nil
    }

    /// Hashes of the tokens an auth mount issued (its `mount/<accessor>/` index).
    func hashes(issuedByMount accessor: String) async throws -> [String] {
        try await storage.list(prefix: "mount/\(accessor)/").compactMap(TokenIndexMember.init(listed:)).map(\.hash)
    }
}
