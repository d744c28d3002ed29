import Synchronization

/// Set once a watched task ended.
///
/// ```swift
/// let flag = EndFlag(); Task { await work.value; flag.set() }; if flag.isSet { … }
/// ```
final class EndFlag: Sendable {
    private let value = Mutex(false)
    func set() { value.withLock { $0 = true } }
    var isSet: Bool { value.withLock { $0 } }
}
