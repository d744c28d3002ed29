import CofferFramework
import CofferStorage

/// One mounted userpass method: its path table and the user lockout of the mount. Usernames are lower-cased in
/// paths and storage (`user/<name>`), as Vault's are.
///
/// ```swift
/// let backend = UserpassBackend(lockout: LoginLockout(now: { clock.seconds })).backend
/// ```
final class UserpassBackend: Sendable {
    let lockout: LoginLockout
    /// Serialises the read-modify-write of one user's record (a password change beside a policies change).
    let userLocks = KeyedAsyncLock()

    init(lockout: LoginLockout) {
        self.lockout = lockout
    }

    static let storagePrefix = "user/"

    var backend: FrameworkBackend {
        FrameworkBackend(
            kind: .credential,
            paths: [
                PathDefinition(
                    "users/?",
                    operations: [
                        .list: PathOperation("List users") { request, _ in
                            .list(
                                try await request.storage.list(prefix: Self.storagePrefix).filter { !$0.hasSuffix("/") }
                            )
                        }
                    ], synopsis: "Lists the users."),
                PathDefinition(
                    "users/{username}", fields: UserpassUser.fields,
                    operations: [
                        .read: PathOperation("Read a user") { request, fields in
                            try await self.user(request.storage, Self.name(fields)).map {
                                LogicalResponse(data: $0.readData())
                            }
                        },
                        .create: PathOperation("Create a user") { try await self.writeUser($0, $1, creating: true) },
                        .update: PathOperation("Update a user") { try await self.writeUser($0, $1, creating: false) },
                        .delete: PathOperation("Delete a user") { request, fields in
                            let name = try Self.name(fields)
                            try await request.storage.delete(Self.storagePrefix + name)
                            self.lockout.forget(name)
                            return nil
                        },
                    ],
                    existenceCheck: { request, fields in
                        try await self.user(request.storage, Self.name(fields)) != nil
                    },
                    synopsis: "Manages the users allowed to log in."),
                PathDefinition(
                    "users/{username}/password",
                    fields: UserpassUser.fields.filter { ["username", "password"].contains($0.key) },
                    operations: [
                        .update: PathOperation("Change a user's password") { try await self.writePassword($0, $1) }
                    ], synopsis: "Changes a user's password."),
                PathDefinition(
                    "users/{username}/policies",
                    fields: UserpassUser.fields.filter { ["username", "policies", "token_policies"].contains($0.key) },
                    operations: [
                        .update: PathOperation("Change a user's policies") { try await self.writePolicies($0, $1) }
                    ], synopsis: "Changes the policies of a user's tokens."),
                PathDefinition(
                    "login/{username}",
                    fields: UserpassUser.fields.filter { ["username", "password"].contains($0.key) },
                    operations: [
                        .update: PathOperation("Log in with a username and password") { try await self.login($0, $1) }
                    ],
                    synopsis: "Logs in with a username and password.", unauthenticated: true),
            ],
            help: "The userpass auth method lets users log in with a username and a password.",
            renew: { auth, request in try await self.renew(auth, request) })
    }

    /// The lower-cased username of the path; a name outside Vault's `GenericNameRegex` matches no path.
    static func name(_ fields: FieldData) throws -> String {
        let name = try fields.string("username").lowercased()
        guard isValidName(name) else { throw LogicalError.unsupportedPath }
        return name
    }

    /// Vault's `GenericNameRegex`: `\w(([\w-.]+)?\w)?`, `\w` being ASCII letters, digits and `_`.
    static func isValidName(_ name: String) -> Bool {
        func word(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F
        }
        let bytes = Array(name.utf8)
        guard let first = bytes.first, let last = bytes.last, word(first), word(last) else { return false }
        return bytes.allSatisfy { word($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    func user(_ storage: any Storage, _ name: String) async throws -> UserpassUser? {
        try await storage.getJSON(UserpassUser.self, Self.storagePrefix + name)
    }

    /// The hash of the request's `password`; a sent but empty password is Vault's 400 `missing password`.
    static func hashedPassword(_ fields: FieldData) async throws -> String {
        let password = try fields.string("password")
        guard !password.isEmpty else { throw LogicalError.badRequest("missing password") }
        if let problem = PasswordHasher.problem(with: password) { throw LogicalError.badRequest(problem) }
        return try await PasswordHasher.hash(password)
    }

    func writeUser(_ request: LogicalRequest, _ fields: FieldData, creating: Bool) async throws -> LogicalResponse? {
        let name = try Self.name(fields)
        if creating, (try fields.string("password")).isEmpty { throw LogicalError.badRequest("missing password") }
        let hash = fields.has("password") ? try await Self.hashedPassword(fields) : nil
        try await userLocks.withLock(name) {
            var user = try await self.user(request.storage, name) ?? UserpassUser()
            if let hash { user.passwordHash = hash }
            try user.applyTokenFields(fields)
            try await request.storage.putJSON(Self.storagePrefix + name, user)
        }
        return nil
    }

    func writePassword(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let name = try Self.name(fields)
        guard try await user(request.storage, name) != nil else { throw Self.noSuchUser }
        let hash = try await Self.hashedPassword(fields)
        try await userLocks.withLock(name) {
            guard var user = try await self.user(request.storage, name) else { throw Self.noSuchUser }
            user.passwordHash = hash
            try await request.storage.putJSON(Self.storagePrefix + name, user)
        }
        return nil
    }

    /// `token_policies` wins; `policies` alone sets both; neither is Vault's 400 `no token_policies provided`.
    func writePolicies(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let name = try Self.name(fields)
        try await userLocks.withLock(name) {
            guard var user = try await self.user(request.storage, name) else { throw Self.noSuchUser }
            if fields.has("token_policies") {
                user.token.policies = TokenParams.sanitizedPolicies(try fields.stringSlice("token_policies"))
                user.legacy.policies = fields.has("policies") ? user.token.policies : []
            } else if fields.has("policies") {
                user.legacy.policies = TokenParams.sanitizedPolicies(try fields.stringSlice("policies"))
                user.token.policies = user.legacy.policies
            } else {
                throw LogicalError.badRequest("no token_policies provided")
            }
            try await request.storage.putJSON(Self.storagePrefix + name, user)
        }
        return nil
    }

    /// Vault answers a missing user on these paths with a plain (500) error.
    static let noSuchUser = LogicalError(status: 500, messages: ["username does not exist"])
}
