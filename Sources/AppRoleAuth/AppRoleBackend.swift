import CofferFramework
import CofferStorage
import Foundation
import Synchronization

/// One mounted AppRole method: its path table, the salt its storage keys are derived from, and the per-key locks
/// that make a secret id's use count exact when logins race.
///
/// ```swift
/// let backend = AppRoleBackend(now: { Date().timeIntervalSince1970 }).backend
/// ```
///
/// Storage layout (all under the mount's view): `salt`; `role/<name>`; `role_id/<hmac(role id)>` → role name;
/// `secret_id/<role>/<hmac(secret id)>` → ``AppRoleSecretID``; `accessor/<role>/<hmac(accessor)>` → the secret
/// id's HMAC.
final class AppRoleBackend: Sendable {
    let now: @Sendable () -> Double
    /// Serialises everything that reads then writes one secret id (login, destroy, tidy) or one role.
    let locks = KeyedAsyncLock()
    /// Failed logins per role id (Vault's user lockout, with the role id as the alias).
    let lockout: LoginLockout
    let roles = AppRoleCache()
    private let cachedSalt = Mutex<AppRoleSalt?>(nil)

    init(now: @escaping @Sendable () -> Double) {
        self.now = now
        self.lockout = LoginLockout(now: now)
    }

    /// The mount's salt, created on first use; creation is serialised so two first requests agree on one salt.
    func salt(_ storage: any Storage) async throws -> AppRoleSalt {
        if let salt = cachedSalt.withLock({ $0 }) { return salt }
        return try await locks.withLock("\u{0}salt") {
            if let salt = cachedSalt.withLock({ $0 }) { return salt }
            let salt = try await AppRoleSalt.loadOrCreate(storage)
            cachedSalt.withLock { $0 = salt }
            return salt
        }
    }

    var backend: FrameworkBackend {
        FrameworkBackend(
            kind: .credential,
            paths: rolePaths + secretIDPaths + [loginPath, tidyPath],
            help: "The AppRole auth method: machines log in with a role id and a secret id.",
            renew: { auth, request in try await self.renew(auth, request) },
            initialize: { storage in _ = try await self.salt(storage) },
            periodic: PeriodicFunction(every: .seconds(60)) { storage in _ = try await self.tidy(storage) })
    }

    static let roleNameField = FieldSchema(.lowerCaseString, description: "Name of the role")

    var loginPath: PathDefinition {
        PathDefinition(
            "login",
            fields: [
                "role_id": FieldSchema(.string, description: "Unique identifier of the role"),
                "secret_id": FieldSchema(.string, description: "A secret id issued for the role"),
            ],
            operations: [
                .update: PathOperation("Log in with a role id and a secret id") { try await self.login($0, $1) }
            ],
            synopsis: "Issue a token for a role id and secret id", unauthenticated: true)
    }

    var tidyPath: PathDefinition {
        PathDefinition(
            "tidy/secret-id",
            operations: [
                .update: PathOperation("Remove expired secret ids") { request, _ in
                    _ = try await self.tidy(request.storage)
                    return LogicalResponse(
                        warnings: [
                            "Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."
                        ], statusCode: 202)
                }
            ],
            synopsis: "Trim expired and dangling secret ids")
    }

    /// Storage keys.
    static func roleKey(_ name: String) -> String { "role/" + name }
    static func roleIDKey(_ hmac: String) -> String { "role_id/" + hmac }
    static func secretIDPrefix(_ role: String) -> String { "secret_id/\(role)/" }
    static func accessorPrefix(_ role: String) -> String { "accessor/\(role)/" }

    func role(_ storage: any Storage, _ name: String) async throws -> AppRole? {
        try await storage.getJSON(AppRole.self, Self.roleKey(name))
    }
}
