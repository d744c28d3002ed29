import Synchronization

/// The task of the latest commit attempt, kept so an abandoned attempt can be awaited.
///
/// ```swift
/// let box = AttemptBox(); box.set(task); await box.task?.value
/// ```
final class AttemptBox: Sendable {
    private let stored = Mutex<Task<Void, Never>?>(nil)
    func set(_ task: Task<Void, Never>) { stored.withLock { $0 = task } }
    var task: Task<Void, Never>? { stored.withLock { $0 } }
}
