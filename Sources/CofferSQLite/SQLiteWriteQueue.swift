import CofferStorage
import Dispatch
import NIOCore
import SQLiteNIO
import Synchronization

/// Serialises every write to the single SQLite writer connection and commits concurrent writes
/// together (group commit): the writes queued while one commit runs go out as the next commit, hence
/// one WAL fsync for the whole batch.
///
/// A batch is folded into its final rows (``SQLiteWriteBatch``) and written with one multi-row statement
/// per kind (``SQLiteBatchStatement``), so its cost in prepares and thread hops does not grow with its
/// size. A write with an invalid key is refused alone before any SQL runs; a database error fails the
/// whole batch, none of which is then stored. A write's caller resumes only after the commit returned,
/// i.e. once it is durable under `synchronous=FULL`.
///
/// ```swift
/// let queue = SQLiteWriteQueue(connection: writer, statistics: SQLiteWriteStatistics(factory: factory))
/// try await queue.submit([.put(key: "a", value: [1]), .delete(key: "b")])
/// ```
final class SQLiteWriteQueue: Sendable {
    private struct Pending {
        let operations: [StorageOperation]
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var queue = GroupCommitState<Pending>()
        /// Writes of the commit running now.
        var committing = 0
    }

    /// Bounds how long the first write of a busy batch waits for the batch's fsync.
    private static let maxBatch = 256

    private let connection: SQLiteConnection
    private let state = Mutex(State())
    let statistics: SQLiteWriteStatistics

    init(connection: SQLiteConnection, statistics: SQLiteWriteStatistics) {
        self.connection = connection
        self.statistics = statistics
    }

    /// Applies `operations` atomically and durably; returns once committed.
    func submit(_ operations: [StorageOperation]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let admission = state.withLock {
                $0.queue.admit(Pending(operations: operations, continuation: continuation))
            }
            switch admission {
            case .rejected: continuation.resume(throwing: StorageError.backend("SQLite storage is closed"))
            case .queued: break
            case .startDraining: drainNext()
            }
        }
    }

    /// Refuses new writes and returns once every accepted write has finished.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if state.withLock({ $0.queue.close(waiter: continuation) }) { continuation.resume() }
        }
    }

    /// Commits the queued writes batch after batch until the queue is empty. Runs as a chain of future
    /// callbacks on the connection's event loop, not as a task: between two commits it never waits for a
    /// thread of Swift's cooperative pool, which request handling keeps busy — under load that wait, not the
    /// fsync, was most of a commit's latency.
    private func drainNext() {
        while true {
            let (batch, idleWaiters) = takeBatch()
            guard !batch.isEmpty else {
                for waiter in idleWaiters { waiter.resume() }
                return
            }
            let writes = SQLiteWriteBatch(batch.map(\.operations))
            let statements = SQLiteBatchStatement.statements(for: writes)
            guard !statements.isEmpty else {
                // Nothing reaches the database (every write refused, or empty): settle without a round trip.
                finish(batch, writes, outcome: .success(()))
                continue
            }
            let started = DispatchTime.now().uptimeNanoseconds
            apply(statements).whenComplete { result in
                if case .success = result {
                    self.statistics.recordCommit(
                        writes: writes.acceptedCount, statements: statements.count,
                        nanoseconds: DispatchTime.now().uptimeNanoseconds &- started)
                }
                self.finish(batch, writes, outcome: result.mapError { Self.storageError($0) })
                self.drainNext()
            }
            return
        }
    }

    private func takeBatch() -> ([Pending], [CheckedContinuation<Void, Never>]) {
        state.withLock { state in
            let taken = state.queue.takeBatch(max: Self.maxBatch)
            state.committing = taken.batch.count
            return taken
        }
    }

    /// Answers every write of the batch: its own refusal, or the batch's outcome.
    private func finish(_ batch: [Pending], _ writes: SQLiteWriteBatch, outcome: Result<Void, any Error>) {
        state.withLock { $0.committing = 0 }
        for (index, pending) in batch.enumerated() {
            pending.continuation.resume(with: writes.rejected[index].map { .failure($0) } ?? outcome)
        }
    }

    /// Applies the statements with one WAL fsync under `synchronous=FULL`: one statement is atomic by itself
    /// in autocommit mode; more run inside one `BEGIN IMMEDIATE … COMMIT`, rolled back on any failure.
    private func apply(_ statements: [SQLiteBatchStatement]) -> EventLoopFuture<Void> {
        if statements.count == 1 { return run(statements[0].sql, statements[0].binds) }
        var chain = run("BEGIN IMMEDIATE")
        for statement in statements {
            chain = chain.flatMap { self.run(statement.sql, statement.binds) }
        }
        return chain.flatMap { self.run("COMMIT") }.flatMapError { error in
            // The transaction may already be gone (SQLite rolls back itself on some I/O errors).
            self.run("ROLLBACK").recover { _ in }.flatMapThrowing { throw error }
        }
    }

    private func run(_ sql: String, _ binds: [SQLiteData] = []) -> EventLoopFuture<Void> {
        connection.query(sql, binds, logger: connection.logger) { _ in }
    }

    static func storageError(_ error: any Error) -> any Error {
        error is StorageError ? error : StorageError.backend("sqlite: \(error)")
    }
}

extension SQLiteWriteQueue {
    /// Writes waiting for the next commit, and writes of the commit running now (tests use them to line up
    /// a batch deterministically).
    var queueDepth: (pending: Int, committing: Int) { state.withLock { ($0.queue.pending.count, $0.committing) } }
}
