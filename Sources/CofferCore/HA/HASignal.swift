import CofferStorage
import Synchronization

/// Wakes the HA election loop early (a step-down request, a fenced write, sealing). A raise with nobody waiting is
/// kept for the next wait, so no signal is lost between two waits.
///
/// ```swift
/// let signal = HASignal()
/// signal.raise()                          // from any task
/// await signal.wait(upTo: .seconds(5))    // returns at once: the raise above was pending
/// ```
final class HASignal: Sendable {
    private struct State {
        var pending = false
        var waiter: FirstAnswer<Void>?
    }

    private let state = Mutex(State())

    func raise() {
        let waiter = state.withLock { state -> FirstAnswer<Void>? in
            guard let waiter = state.waiter else {
                state.pending = true
                return nil
            }
            state.waiter = nil
            return waiter
        }
        waiter?.give(())
    }

    /// Returns when raised, or after `limit`.
    func wait(upTo limit: Duration) async {
        let answer = FirstAnswer<Void>()
        let timer = Mutex<Task<Void, Never>?>(nil)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            answer.start(continuation)
            let raised = state.withLock { state -> Bool in
                guard !state.pending else {
                    state.pending = false
                    return true
                }
                state.waiter = answer
                return false
            }
            guard !raised else { return answer.give(()) }
            timer.withLock {
                $0 = Task {
                    try? await Task.sleep(for: limit)
                    answer.give(())
                }
            }
        }
        timer.withLock { $0?.cancel() }
        state.withLock { state in
            if state.waiter === answer { state.waiter = nil }
        }
    }
}
