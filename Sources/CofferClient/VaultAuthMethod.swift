/// A way to obtain a Vault token (the Go client's `api.AuthMethod`): it calls the server's login
/// endpoint and returns the answer; ``VaultClient/login(_:)`` then uses the token it carries.
///
/// ```swift
/// let method = try AzureAuthLogin(role: "dev-role-azure")
/// guard let answer = try await client.login(method) else { throw MyError.noAuthInfo }
/// print(answer.authInfo!.leaseDuration)
/// ```
public protocol VaultAuthMethod: Sendable {
    /// Logs in through `client` (without changing its token) and returns the server's answer.
    func login(using client: VaultClient) async throws -> VaultResponse
}

extension VaultClient {
    /// Logs in with `method` and, when the answer carries a token, makes it this client's token.
    /// Returns `nil` when the server answered without an `auth` block (the token is left unchanged).
    @discardableResult
    public func login(_ method: some VaultAuthMethod) async throws -> VaultResponse? {
        let response = try await method.login(using: self)
        guard let auth = response.authInfo else { return nil }
        setToken(auth.clientToken)
        return response
    }
}
