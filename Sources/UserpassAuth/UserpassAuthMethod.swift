import CofferFramework
import Foundation

/// The userpass auth method (mount type `userpass`): users with bcrypt-hashed passwords under `users/<name>`, and
/// `login/<name>` (docs/userpass-auth.md).
///
/// ```swift
/// configuration.catalog.append(UserpassAuthMethod.factory())
/// // then: POST sys/auth/userpass {"type":"userpass"}; POST auth/userpass/users/alice {"password":"…"}
/// ```
public enum UserpassAuthMethod {
    public static let type = "userpass"

    /// The catalog entry. `now` is the clock (seconds since the epoch) the user lockout counts with.
    public static func factory(now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 })
        -> BackendFactory
    {
        BackendFactory(type: type, kind: .credential) { _ in
            UserpassBackend(lockout: LoginLockout(now: now)).backend
        }
    }
}
