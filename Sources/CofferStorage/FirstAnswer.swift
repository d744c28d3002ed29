import Synchronization

/// A continuation that several racers may answer; the first answer resumes it and later ones are dropped.
///
/// ```swift
/// let answer = FirstAnswer<Bool>()
/// let ended = await withCheckedContinuation { continuation in
///     answer.start(continuation)
///     Task { try? await Task.sleep(for: .seconds(1)); answer.give(false) }
///     Task { await work.value; answer.give(true) }
/// }
/// ```
public final class FirstAnswer<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, Never>?>(nil)

    public init() {}

    public func start(_ continuation: CheckedContinuation<Value, Never>) {
        self.continuation.withLock { $0 = continuation }
    }

    /// Resumes the waiter with `value` unless another racer already did.
    public func give(_ value: Value) {
        continuation.withLock { waiting in
            defer { waiting = nil }
            return waiting
        }?.resume(returning: value)
    }
}
