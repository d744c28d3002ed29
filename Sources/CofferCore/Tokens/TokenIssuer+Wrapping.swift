import CofferFramework

extension TokenIssuer {
    /// The one policy a wrapping token carries; reserved, so ``issue(_:)`` refuses it on any other token.
    static let wrappingPolicy = "response-wrapping"

    /// Mints a response-wrapping token (docs/response-wrapping.md): single use, the `response-wrapping` policy
    /// only, an orphan with no display name, living exactly `ttl` seconds and not renewable, its creation path the
    /// wrapped request's. It bypasses ``issue(_:)`` because that refuses the reserved policy and bounds TTLs by
    /// the token mount's tuning, which Vault does not apply to wrapping tokens.
    ///
    /// ```swift
    /// let issued = try await TokenIssuer(core: core).issueWrappingToken(ttl: 300, path: "secret/data/creds")
    /// ```
    func issueWrappingToken(ttl: Int64, path: String) async throws -> Issued {
        var entry = TokenEntry(
            idHash: "", accessor: TokenStore.newAccessor(), parentHash: nil, policies: [Self.wrappingPolicy],
            path: path, meta: nil, displayName: "", numUses: 1, creationTime: core.now, ttl: ttl,
            explicitMaxTTL: ttl, period: 0, maxTTL: 0, renewable: false, type: .service, boundCIDRs: [],
            entityID: "")
        let id = TokenStore.newServiceTokenID()
        entry = try await core.unsealed().tokens.create(entry, id: id)
        core.metrics.tokenCreated(
            authMethod: "response_wrapping", mountPoint: "", ttlSeconds: entry.ttl, tokenType: "service")
        return Issued(id: id, entry: entry, warnings: [])
    }
}
