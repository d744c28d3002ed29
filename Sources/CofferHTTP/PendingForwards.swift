import Synchronization

/// The forwarded requests of one ``StandbyForwarder`` still awaiting the active node's answer, and the single
/// watcher that abandons those whose active node was replaced meanwhile (a node paused past its lease answers
/// nothing until it runs again, and then only to say it is no longer active).
///
/// One watcher for all requests, waking every `interval` while any is pending, rather than a timer per request:
/// a timer per forwarded request cost a tenth of a busy standby's CPU.
///
/// ```swift
/// let pending = PendingForwards(interval: .milliseconds(250))
/// let id = pending.add(task, supersededBy: { core.haStatus.leader?.apiAddress == target ? nil : … })
/// let outcome = await task.value              // cancelled by the watcher when superseded
/// let newLeader = pending.remove(id)          // non-nil when it was
/// ```
final class PendingForwards: Sendable {
    private struct Entry {
        let task: Task<StandbyForwarder.Outcome, Never>
        let supersededBy: @Sendable () -> String?
        var newLeader: String?
    }

    private struct State {
        var entries: [UInt64: Entry] = [:]
        var nextID: UInt64 = 0
        var watching = false
    }

    private let state = Mutex(State())
    private let interval: Duration

    init(interval: Duration) {
        self.interval = interval
    }

    /// Registers `task`; the watcher cancels it once `supersededBy` names another active node.
    func add(
        _ task: Task<StandbyForwarder.Outcome, Never>, supersededBy: @escaping @Sendable () -> String?
    ) -> UInt64 {
        let (id, startWatcher) = state.withLock { state -> (UInt64, Bool) in
            state.nextID &+= 1
            state.entries[state.nextID] = Entry(task: task, supersededBy: supersededBy)
            defer { state.watching = true }
            return (state.nextID, !state.watching)
        }
        if startWatcher { Task { await self.watch() } }
        return id
    }

    /// Forgets the request; returns the node that superseded its target, if the watcher found one.
    func remove(_ id: UInt64) -> String? {
        state.withLock { $0.entries.removeValue(forKey: id)?.newLeader }
    }

    private func watch() async {
        while true {
            try? await Task.sleep(for: interval)
            let (superseded, more) = state.withLock { state -> ([Task<StandbyForwarder.Outcome, Never>], Bool) in
                var superseded: [Task<StandbyForwarder.Outcome, Never>] = []
                for (id, entry) in state.entries where entry.newLeader == nil {
                    guard let leader = entry.supersededBy() else { continue }
                    state.entries[id]?.newLeader = leader
                    superseded.append(entry.task)
                }
                if state.entries.isEmpty { state.watching = false }
                return (superseded, !state.entries.isEmpty)
            }
            for task in superseded { task.cancel() }
            if !more { return }
        }
    }
}
