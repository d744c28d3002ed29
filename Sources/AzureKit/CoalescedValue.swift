import Synchronization

/// A lazily loaded value whose concurrent loads share one in-flight `Task`.
///
/// ```swift
/// let keySet = CoalescedValue<SigningKeys>()
/// let keys = try await keySet.get(accept: { $0.algorithms[kid] != nil }, permit: { rateLimitAllows() }) {
///     try await SigningKeys.fetch(jwksURI, http: http)
/// }
/// keySet.reset()   // forget the value; the next get loads
/// ```
///
/// `get` answers a cached value that `accept` likes without waiting; otherwise it joins a load in flight,
/// or starts one — the very first load always, a replacement only when `permit()` agrees (the caller's
/// rate limit). A failed load leaves the previous value (if any) in place and is not cached.
final class CoalescedValue<Value: Sendable>: Sendable {
    private enum Phase {
        case empty
        case loading(Task<Value, any Error>, previous: Value?, generation: UInt64)
        case ready(Value)
    }

    private enum Step {
        case done(Value)
        case wait(Task<Value, any Error>)
    }

    private struct State {
        var phase = Phase.empty
        var generation: UInt64 = 0
    }

    private let state = Mutex(State())

    init() {}

    /// The cached value, if any, without waiting.
    var current: Value? {
        state.withLock { state in
            switch state.phase {
            case .empty: return nil
            case .loading(_, let previous, _): return previous
            case .ready(let value): return value
            }
        }
    }

    /// Returns an accepted cached value, the result of the load in flight, a fresh load's result, or — when a
    /// replacement is not permitted — the cached value as it is (the caller re-checks it).
    func get(
        accept: (Value) -> Bool, permit: () -> Bool, load: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let step = state.withLock { state -> Step in
            let previous: Value?
            switch state.phase {
            case .ready(let value) where accept(value) || !permit():
                return .done(value)
            case .loading(let task, _, _):
                return .wait(task)
            case .ready(let value):
                previous = value
            case .empty:
                previous = nil
            }
            state.generation &+= 1
            let task = start(previous: previous, generation: state.generation, load: load)
            state.phase = .loading(task, previous: previous, generation: state.generation)
            return .wait(task)
        }
        switch step {
        case .done(let value): return value
        case .wait(let task): return try await task.value
        }
    }

    /// Drops the cached value (a load in flight still completes for its waiters, but is not kept).
    func reset() {
        state.withLock { $0.phase = .empty }
    }

    private func start(
        previous: Value?, generation: UInt64, load: @escaping @Sendable () async throws -> Value
    ) -> Task<Value, any Error> {
        // The load is unstructured so that one waiter's cancellation does not fail the others.
        Task {
            do {
                let value = try await load()
                self.finish(generation, .ready(value))
                return value
            } catch {
                self.finish(generation, previous.map { .ready($0) } ?? .empty)
                throw error
            }
        }
    }

    /// Stores a load's outcome unless the value was reset or another load replaced it meanwhile.
    private func finish(_ generation: UInt64, _ next: Phase) {
        state.withLock { state in
            if case .loading(_, _, let current) = state.phase, current == generation { state.phase = next }
        }
    }
}
