import CoreMetrics
import Synchronization

/// Counts what the SQLite group commit does, for `sys/metrics` and for tests: commits (one WAL fsync each
/// under `synchronous=FULL`), the writes they carried, the statements they ran, and how long each took
/// from its first statement to its durable end. Writes per commit is
/// the group-commit figure the benchmarks report (docs/metrics.md).
///
/// ```swift
/// let physical = try await SQLitePhysical.open(path: path, logger: logger, metrics: MetricsSystem.factory)
/// let snapshot = physical.writeStatistics.snapshot
/// print(Double(snapshot.writes) / Double(snapshot.commits))
/// ```
public final class SQLiteWriteStatistics: Sendable {
    /// Totals since the store was opened.
    public struct Snapshot: Sendable, Equatable {
        public var commits: Int
        public var writes: Int
        public var statements: Int
    }

    private let commits = Atomic<Int>(0)
    private let writes = Atomic<Int>(0)
    private let statements = Atomic<Int>(0)
    private let commitCounter: Counter
    private let writeCounter: Counter
    private let commitTimer: Timer

    public init(factory: any MetricsFactory) {
        commitCounter = Counter(label: "coffer_storage_sqlite_commits_total", factory: factory)
        writeCounter = Counter(label: "coffer_storage_sqlite_writes_total", factory: factory)
        commitTimer = Timer(label: "coffer_storage_sqlite_commit_duration_seconds", factory: factory)
    }

    public var snapshot: Snapshot {
        Snapshot(
            commits: commits.load(ordering: .relaxed), writes: writes.load(ordering: .relaxed),
            statements: statements.load(ordering: .relaxed))
    }

    func recordCommit(writes count: Int, statements statementCount: Int, nanoseconds: UInt64) {
        commitTimer.recordNanoseconds(Int64(clamping: nanoseconds))
        commits.add(1, ordering: .relaxed)
        writes.add(count, ordering: .relaxed)
        statements.add(statementCount, ordering: .relaxed)
        commitCounter.increment()
        writeCounter.increment(by: count)
    }
}
