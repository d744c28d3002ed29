/// The queue a group-commit writer keeps, whatever its database: writes wait in arrival order, one drain at a time
/// takes them in batches (each batch one commit), and closing waits until the drain has gone idle. SQLite's and
/// PostgreSQL's writers keep one inside their locked state and differ only in how they commit a batch.
///
/// ```swift
/// var queue = GroupCommitState<Pending>()
/// switch queue.admit(pending) {
/// case .rejected: pending.continuation.resume(throwing: StorageError.backend("closed"))
/// case .queued: break                              // the running drain will take it
/// case .startDraining: startDrain()                // the caller now runs the drain
/// }
/// let (batch, idleWaiters) = queue.takeBatch(max: 256)   // empty: the drain stops; resume idleWaiters
/// ```
public struct GroupCommitState<Pending> {
    /// What ``admit(_:)`` made of a write.
    public enum Admission {
        /// The writer is closed; the write was not queued.
        case rejected
        /// Queued behind a drain that is already running.
        case queued
        /// Queued, and no drain was running: the caller must start one.
        case startDraining
    }

    /// Writes waiting for a commit, oldest first.
    public private(set) var pending: [Pending] = []
    public private(set) var isDraining = false
    public private(set) var isClosed = false
    private var idleWaiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public mutating func admit(_ write: Pending) -> Admission {
        guard !isClosed else { return .rejected }
        pending.append(write)
        guard !isDraining else { return .queued }
        isDraining = true
        return .startDraining
    }

    /// Refuses later writes. Returns true when no drain runs; otherwise keeps `waiter`, which ``takeBatch(max:)``
    /// hands back once the drain has committed everything accepted.
    public mutating func close(waiter: CheckedContinuation<Void, Never>) -> Bool {
        isClosed = true
        guard isDraining else { return true }
        idleWaiters.append(waiter)
        return false
    }

    /// The next batch, at most `max` writes in arrival order. With nothing queued, the drain stops and the close
    /// waiters come back for the caller to resume.
    public mutating func takeBatch(max: Int) -> (batch: [Pending], idleWaiters: [CheckedContinuation<Void, Never>]) {
        guard !pending.isEmpty else {
            isDraining = false
            defer { idleWaiters = [] }
            return ([], idleWaiters)
        }
        let count = Swift.min(Swift.max(max, 1), pending.count)
        defer { pending.removeFirst(count) }
        return (Array(pending.prefix(count)), [])
    }

    /// Takes the first queued write matching `predicate` out of the queue (one whose wait expired).
    public mutating func remove(firstWhere predicate: (Pending) -> Bool) -> Pending? {
        guard let index = pending.firstIndex(where: predicate) else { return nil }
        return pending.remove(at: index)
    }

    /// Changes the first queued write matching `predicate`; false when none is queued any more.
    public mutating func update(firstWhere predicate: (Pending) -> Bool, _ change: (inout Pending) -> Void) -> Bool {
        guard let index = pending.firstIndex(where: predicate) else { return false }
        change(&pending[index])
        return true
    }
}
