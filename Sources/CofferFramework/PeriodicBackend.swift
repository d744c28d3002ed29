import CofferStorage

/// A mounted backend with background work: the core's periodic driver calls ``periodic(storage:)`` every
/// ``periodicInterval`` while this node is active, from the mount's unseal (or enable) until seal or unmount.
///
/// ```swift
/// if let backend = route.backend as? any PeriodicBackend, backend.hasPeriodicWork {
///     try await backend.periodic(storage: route.storage)
/// }
/// ```
///
/// ``FrameworkBackend`` conforms: its pass runs its ``PeriodicFunction`` and then its ``WALRollback`` sweep.
public protocol PeriodicBackend: LogicalBackend {
    /// False when the backend declares no periodic work, so the core starts no timer for it.
    var hasPeriodicWork: Bool { get }
    /// Time between passes; nil for the core's default.
    var periodicInterval: Duration? { get }
    /// One pass. Errors are logged by the core; the next pass runs anyway.
    func periodic(storage: any Storage) async throws
}
