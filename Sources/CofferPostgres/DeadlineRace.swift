import CofferStorage
import Synchronization

/// Who answers a ``PostgresDeadline`` caller first: the work or the timer. Exactly one resumes the continuation.
///
/// ```swift
/// let race = DeadlineRace<Int>()
/// race.start(continuation); race.arm(timer); race.finish(.success(1))   // cancels the timer
/// ```
final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var timer: Task<Void, Never>?
        var answered = false
        var lastFailure: String?
    }
    private let state = Mutex(State())

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        state.withLock { $0.continuation = continuation }
    }

    func arm(_ timer: Task<Void, Never>) {
        let alreadyAnswered = state.withLock { state -> Bool in
            state.timer = timer
            return state.answered
        }
        if alreadyAnswered { timer.cancel() }
    }

    func noteFailure(_ description: String) { state.withLock { $0.lastFailure = description } }

    func finish(_ result: Result<T, any Error>) {
        let (continuation, timer) = state.withLock { state in
            state.answered = true
            defer { state.continuation = nil }
            return (state.continuation, state.timer)
        }
        timer?.cancel()
        continuation?.resume(with: result)
    }

    /// Answers the caller with ``StorageError/unavailable(_:)`` unless the work already did; true if it did so.
    func expire(timeout: Duration) -> Bool {
        let (continuation, why) = state.withLock { state in
            state.answered = true
            defer { state.continuation = nil }
            return (state.continuation, state.lastFailure ?? "no answer from PostgreSQL")
        }
        guard let continuation else { return false }
        continuation.resume(throwing: StorageError.unavailable("timed out after \(timeout): \(why)"))
        return true
    }
}
