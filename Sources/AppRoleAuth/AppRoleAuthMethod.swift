import CofferFramework
import Foundation

/// The AppRole auth method (mount type `approle`): roles, their role ids and secret ids, and `login` with a role id
/// and a secret id (docs/approle.md).
///
/// ```swift
/// configuration.catalog.append(AppRoleAuthMethod.factory())
/// // Tests move time by hand:
/// let clock = ManualClock()
/// let factory = AppRoleAuthMethod.factory(now: { clock.seconds })
/// ```
public enum AppRoleAuthMethod {
    public static let type = "approle"

    /// The catalog entry. `now` is the clock secret-id lifetimes are measured against (seconds since 1970).
    public static func factory(now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 })
        -> BackendFactory
    {
        BackendFactory(type: type, kind: .credential) { _ in AppRoleBackend(now: now).backend }
    }
}
