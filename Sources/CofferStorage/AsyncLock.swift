import Synchronization

/// A FIFO mutual-exclusion lock for async code, held across suspension points.
///
/// `Mutex` cannot be held across `await`; this can, so a multi-statement SQLite transaction or a
/// keyring rotation (read, re-encrypt, persist) runs without another caller interleaving.
///
/// ```swift
/// let lock = AsyncLock()
/// try await lock.withLock { try await persistKeyring() }
/// ```
public final class AsyncLock: Sendable {
    private struct State {
        var isLocked = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    public init() {}

    public func lock() async {
        let acquired = state.withLock { state -> Bool in
            guard !state.isLocked else { return false }
            state.isLocked = true
            return true
        }
        if acquired { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            // Re-check under the lock: the holder may have released it since the fast path failed.
            let acquiredNow = state.withLock { state -> Bool in
                guard state.isLocked else {
                    state.isLocked = true
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if acquiredNow { continuation.resume() }
        }
    }

    /// Hands the lock directly to the longest waiter, so it stays held and no caller can barge in.
    public func unlock() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            precondition(state.isLocked, "AsyncLock.unlock() without lock()")
            guard !state.waiters.isEmpty else {
                state.isLocked = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }

    public func withLock<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        await lock()
        defer { unlock() }
        return try await body()
    }
}
