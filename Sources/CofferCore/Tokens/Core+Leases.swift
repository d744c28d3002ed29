import CofferFramework
import Foundation

/// Token leases for `sys/leases/*` (docs/leases.md): found by lease id, listed and revoked by prefix.
///
/// ```swift
/// if let entry = try await core.tokenLease("auth/token/create/h3f9…") { … }
/// let revoked = try await core.revokeTokenLeases(prefix: "auth/userpass/login/alice", force: false)
/// ```
extension Core {
    /// The live token a lease id names, or nil when no token has that lease.
    func tokenLease(_ leaseID: String) async throws -> TokenEntry? {
        guard let hash = TokenStore.hash(ofLeaseID: leaseID),
            let entry = try await unsealed().tokens.storedEntry(hash: hash), entry.numUses >= 0,
            TokenStore.leaseID(entry) == leaseID
        else { return nil }
        return entry
    }

    /// Every token whose lease id starts with `prefix`, with that id. Under an auth method's mount the mount's
    /// token index is read; any other prefix (`auth/token/…`, `auth/`, the empty one) reads every stored token.
    func leasedTokens(prefix: String) async throws -> [(leaseID: String, entry: TokenEntry)] {
        let tokens = try unsealed().tokens
        var found: [(leaseID: String, entry: TokenEntry)] = []
        func consider(_ entry: TokenEntry) {
            guard entry.numUses >= 0, let id = TokenStore.leaseID(entry), id.hasPrefix(prefix) else { return }
            found.append((leaseID: id, entry: entry))
        }
        if let (route, _) = router.match(prefix), route.mount.kind == .credential, route.mount.type != "token",
            prefix.hasPrefix(route.mount.routePrefix)
        {
            for hash in try await tokens.hashes(issuedByMount: route.mount.accessor) {
                if let entry = try await tokens.storedEntry(hash: hash) { consider(entry) }
            }
        } else {
            try await tokens.forEachStoredEntry(consider)
        }
        return found.sorted { $0.leaseID < $1.leaseID }
    }

    /// Revokes every token lease under `prefix` (Vault's rule: a prefix that names one lease exactly revokes that
    /// lease, anything else is a folder and gets a trailing `/`). `force` goes on past a failed revocation, as
    /// `revoke-force` does; otherwise the first failure is thrown. Returns how many tokens were revoked.
    @discardableResult
    func revokeTokenLeases(prefix rawPrefix: String, force: Bool) async throws -> Int {
        let tokens = try unsealed().tokens
        if !rawPrefix.hasSuffix("/"), let entry = try await tokenLease(rawPrefix) {
            try await tokens.revokeTree(hash: entry.idHash)
            return 1
        }
        let prefix = rawPrefix.hasSuffix("/") ? rawPrefix : rawPrefix + "/"
        var revoked = 0
        for (id, entry) in try await leasedTokens(prefix: prefix) {
            do {
                try await tokens.revokeTree(hash: entry.idHash)
                revoked += 1
            } catch {
                guard force else { throw error }
                logger.warning("forced revocation: a lease could not be revoked", metadata: ["lease_id": "\(id)"])
            }
        }
        logger.info("revoked leases by prefix", metadata: ["prefix": "\(prefix)", "count": "\(revoked)"])
        return revoked
    }

    /// The keys `LIST sys/leases/lookup/<prefix>` shows: lease ids (`h…`) and sub-folders (`name/`) one level below.
    func leaseKeys(prefix rawPrefix: String) async throws -> [String] {
        let prefix = rawPrefix.isEmpty || rawPrefix.hasSuffix("/") ? rawPrefix : rawPrefix + "/"
        var keys = Set<String>()
        for (id, _) in try await leasedTokens(prefix: prefix) {
            let rest = id.dropFirst(prefix.count)
            if let slash = rest.firstIndex(of: "/") {
                keys.insert(String(rest[...slash]))
            } else {
                keys.insert(String(rest))
            }
        }
        return keys.sorted()
    }
}
