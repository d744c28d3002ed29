import CoreMetrics

/// The PostgreSQL group commit's figures in `sys/metrics`, beside SQLite's (docs/metrics.md): commits, the writes
/// they carried, and how long each took from its first statement to PostgreSQL's answer.
///
/// ```swift
/// let metrics = PostgresWriteMetrics(factory: MetricsSystem.factory)
/// metrics.recordCommit(writes: 12, duration: .milliseconds(3))
/// ```
final class PostgresWriteMetrics: Sendable {
    private let commitCounter: Counter
    private let writeCounter: Counter
    private let commitTimer: Timer

    init(factory: any MetricsFactory) {
        commitCounter = Counter(label: "coffer_storage_postgresql_commits_total", factory: factory)
        writeCounter = Counter(label: "coffer_storage_postgresql_writes_total", factory: factory)
        commitTimer = Timer(label: "coffer_storage_postgresql_commit_duration_seconds", factory: factory)
    }

    func recordCommit(writes: Int, duration: Duration) {
        commitCounter.increment()
        writeCounter.increment(by: writes)
        let (seconds, attoseconds) = duration.components
        commitTimer.recordNanoseconds(
            seconds.multipliedReportingOverflow(by: 1_000_000_000).partialValue &+ attoseconds / 1_000_000_000)
    }
}
