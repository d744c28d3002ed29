/// What the PostgreSQL group commit has done since the store was opened: how many commits carried how many writes.
///
/// ```swift
/// let stats = physical.writeStatistics
/// print(Double(stats.writes) / Double(max(stats.commits, 1)))   // writes per commit
/// ```
public struct PostgresWriteStatistics: Sendable, Equatable {
    public private(set) var commits = 0
    public private(set) var writes = 0
    public private(set) var commitDuration: Duration = .zero

    mutating func record(writes: Int, duration: Duration) {
        commits += 1
        self.writes += writes
        commitDuration += duration
    }
}
