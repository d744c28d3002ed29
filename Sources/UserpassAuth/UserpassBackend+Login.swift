import CofferFramework

extension UserpassBackend {
    static let invalidCredentials = LogicalError.badRequest("invalid username or password")

    /// `login/<name>` (docs/userpass-auth.md § Logging in). An unknown user costs a bcrypt run like a known one;
    /// only a known user's wrong password counts towards the lockout, as in Vault.
    func login(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let name = try Self.name(fields)
        if lockout.isLocked(name) { throw LogicalError.forbidden("permission denied") }
        let password = try fields.string("password")
        guard !password.isEmpty else { throw LogicalError(status: 500, messages: ["missing password"]) }
        let user = try await user(request.storage, name)
        let matched = try await PasswordHasher.verify(password, hash: user?.passwordHash)
        guard let user, matched else {
            if user != nil { lockout.failed(name) }
            throw Self.invalidCredentials
        }
        lockout.succeeded(name)
        if !user.token.boundCIDRs.isEmpty {
            guard let address = request.remoteAddress, CIDR.contains(user.token.boundCIDRs, address: address) else {
                throw LogicalError.forbidden("permission denied")
            }
        }
        var auth = Auth(metadata: ["username": name], displayName: name, alias: Alias(name: name))
        user.token.populate(&auth)
        return .login(auth)
    }

    /// Renewal applies the user's current lifetimes; a deleted user's tokens, or tokens whose user now has other
    /// policies, are not renewed.
    func renew(_ auth: Auth, _ request: LogicalRequest) async throws -> Auth {
        guard let name = auth.metadata["username"], Self.isValidName(name),
            let user = try await user(request.storage, name)
        else {
            throw LogicalError.badRequest("user no longer exists, not renewing")
        }
        func withoutDefault(_ policies: [String]) -> Set<String> {
            Set(TokenParams.sanitizedPolicies(policies)).subtracting(["default"])
        }
        guard withoutDefault(user.token.policies) == withoutDefault(auth.policies) else {
            throw LogicalError(status: 500, messages: ["policies have changed, not renewing"])
        }
        var renewed = auth
        renewed.ttl = user.token.ttl
        renewed.maxTTL = user.token.maxTTL
        renewed.period = user.token.period
        return renewed
    }
}
