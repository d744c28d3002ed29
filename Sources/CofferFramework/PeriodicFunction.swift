import CofferStorage

/// Background work a ``FrameworkBackend`` declares, which the core runs on a timer while this node is active (Vault's
/// `framework.Backend.PeriodicFunc`): automated rotations, promotions, tidying.
///
/// ```swift
/// FrameworkBackend(kind: .credential, paths: paths,
///                  periodic: PeriodicFunction(every: .seconds(10)) { storage in try await promoteIfDue(storage) })
/// ```
///
/// Passes of one mount never overlap: the core starts the next one an `interval` after the previous one ended. An
/// error is logged and the next pass runs as planned.
public struct PeriodicFunction: Sendable {
    /// Time between passes; nil uses the core's default (`CoreConfiguration.periodicInterval`, a minute).
    public var interval: Duration?
    public var run: @Sendable (any Storage) async throws -> Void

    public init(every interval: Duration? = nil, _ run: @escaping @Sendable (any Storage) async throws -> Void) {
        self.interval = interval
        self.run = run
    }
}
