import CofferJSON

/// The token store's self-service endpoints (`auth/token/lookup-self`, `renew-self`, `revoke-self`).
///
/// ```swift
/// let info = try await client.lookupSelf()                 // data: id, ttl, policies, renewable, …
/// let renewed = try await client.renewSelf(increment: 0)   // auth block with the new lease
/// try await client.revokeSelf()
/// ```
/// `token` overrides the client's own token for one call (it is sent as `X-Vault-Token`).
extension VaultClient {
    /// `GET auth/token/lookup-self`: the token's `data` (docs/tokens.md § Token information).
    public func lookupSelf(token: String? = nil) async throws -> [String: JSONValue] {
        let response = try await request("GET", "auth/token/lookup-self", headers: tokenHeader(token))
        return response.data ?? [:]
    }

    /// `PUT auth/token/renew-self` with `increment` seconds (0: the token's normal TTL).
    public func renewSelf(increment: Int = 0, token: String? = nil) async throws -> VaultAuth {
        let response = try await request(
            "PUT", "auth/token/renew-self", body: ["increment": .int(Int64(increment))], headers: tokenHeader(token))
        guard let auth = response.authInfo else {
            throw VaultClientError.invalidJSON("renew-self answered without an auth block")
        }
        return auth
    }

    /// `PUT auth/token/revoke-self`: revokes the token and its children.
    public func revokeSelf(token: String? = nil) async throws {
        _ = try await request("PUT", "auth/token/revoke-self", headers: tokenHeader(token))
    }

    private func tokenHeader(_ token: String?) -> [String: String] {
        token.map { ["X-Vault-Token": $0] } ?? [:]
    }
}
