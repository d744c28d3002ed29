import CofferStorage
import Synchronization

/// What ``PostgresPhysical``'s writes must prove (``HAWriteFence``), shared by the store's writer and its
/// ``PostgresHALock``, and who to tell when a write was refused because the lease was gone.
///
/// ```swift
/// let fence = PostgresWriteFence()
/// fence.set(.epoch(7), lock: lock)   // the lock sets it; PostgresWriteQueue.commit reads it for each transaction
/// ```
final class PostgresWriteFence: Sendable {
    private struct State {
        var fence: HAWriteFence = .unfenced
        var lock: PostgresHALock?
        var onFenced: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    /// The fence, and the lock whose row an epoch fence is checked against.
    var current: (HAWriteFence, PostgresHALock?) { state.withLock { ($0.fence, $0.lock) } }

    func set(_ fence: HAWriteFence, lock: PostgresHALock) {
        state.withLock {
            $0.fence = fence
            $0.lock = lock
        }
    }

    func onFenced(_ handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.onFenced = handler }
    }

    /// A write was refused by the fence.
    func refused() {
        state.withLock { $0.onFenced }?()
    }
}
