import Synchronization

/// Mutual exclusion for root-credential changes across `await`s: requests wait their turn, the background pass
/// skips a turn instead of queueing behind a slow Graph call.
///
/// ```swift
/// try await gate.run { try await rotate() }              // waits while another change runs
/// if let result = try await gate.runIfFree({ … }) { … }  // nil when busy
/// ```
final class RotationGate: Sendable {
    private struct State {
        var held = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func run<T>(_ body: () async throws -> T) async throws -> T {
        await acquire()
        defer { release() }
        return try await body()
    }

    func runIfFree<T>(_ body: () async throws -> T) async throws -> T? {
        let acquired = state.withLock { state in
            if state.held { return false }
            state.held = true
            return true
        }
        guard acquired else { return nil }
        defer { release() }
        return try await body()
    }

    private func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let granted = state.withLock { state in
                if state.held {
                    state.waiters.append(continuation)
                    return false
                }
                state.held = true
                return true
            }
            if granted { continuation.resume() }
        }
    }

    /// Hands the gate to the first waiter, or frees it.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.held = false
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.resume()
    }
}
