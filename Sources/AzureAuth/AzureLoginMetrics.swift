import Metrics
import Synchronization

/// The handles of one Azure mount's login metrics (`coffer_azure_login_total{role,outcome}` and
/// `coffer_azure_login_duration_seconds{outcome}`, docs/metrics.md), each made on first use and kept: making a
/// handle asks the process-wide metrics backend's registry (a lock and a label lookup), which every login paid
/// before. Made lazily rather than at init so they bind to the backend in force when logins start (the server
/// bootstraps it before any mount exists). Role labels are configured role names or `(unknown)`; past
/// `capacity` series the kept handles are dropped and made again, which keeps the counts (the registry holds them).
///
/// ```swift
/// let metrics = AzureLoginMetrics()
/// metrics.record(role: "dev-role", outcome: "success", duration: .milliseconds(3))
/// ```
final class AzureLoginMetrics: Sendable {
    private struct Handles {
        var counters: [Series: Counter] = [:]
        var timers: [String: Metrics.Timer] = [:]
    }

    private struct Series: Hashable {
        var role: String
        var outcome: String
    }

    private let handles = Mutex(Handles())
    let capacity: Int

    init(capacity: Int = 1_024) { self.capacity = capacity }

    /// Counts one login of `role` with `outcome` and times it.
    func record(role: String, outcome: String, duration: Duration) {
        let (counter, timer) = handles.withLock { handles in
            if handles.counters.count >= capacity { handles.counters.removeAll() }
            let series = Series(role: role, outcome: outcome)
            let counter =
                handles.counters[series]
                ?? Counter(label: "coffer_azure_login_total", dimensions: [("role", role), ("outcome", outcome)])
            handles.counters[series] = counter
            let timer =
                handles.timers[outcome]
                ?? Metrics.Timer(label: "coffer_azure_login_duration_seconds", dimensions: [("outcome", outcome)])
            handles.timers[outcome] = timer
            return (counter, timer)
        }
        counter.increment()
        timer.record(duration: duration)
    }
}
