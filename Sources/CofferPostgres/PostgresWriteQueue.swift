import CofferStorage
import Logging
import PostgresNIO
import Synchronization

/// Group commit for ``PostgresPhysical``: one writer commits the queued writes together, so the writes queued while
/// one commit runs go out as the next commit (one transaction, one WAL flush on the server for all of them).
///
/// A batch is folded by ``StorageWriteBatch`` (a write with an invalid key fails alone) and applied by at most two
/// array-bound statements (``PostgresBatchStatement``) in one transaction; a database error fails the whole batch,
/// none of which is then stored. A write's caller resumes only after the commit returned. During an outage a
/// commit is retried with backoff until its deadline (``PostgresDeadline``), then its writes fail with
/// ``StorageError/unavailable(_:)``; a write still queued at its deadline is dropped and fails the same way, so no
/// caller waits longer than two deadlines. An abandoned commit is awaited before the next one starts, so writes of
/// one key never land out of order.
///
/// ```swift
/// let queue = PostgresWriteQueue(
///     clients: clients, quotedTable: "\"coffer_kv_store\"", deadline: deadline, logger: logger,
///     metrics: PostgresWriteMetrics(factory: MetricsSystem.factory))
/// try await queue.submit([.put(key: "a", value: [1]), .delete(key: "b")])
/// ```
final class PostgresWriteQueue: Sendable {
    private struct Pending {
        let id: UInt64
        let operations: [StorageOperation]
        let continuation: CheckedContinuation<Void, any Error>
        var expiry: Task<Void, Never>?
    }

    private struct State {
        var queue = GroupCommitState<Pending>()
        var nextID: UInt64 = 0
        var statistics = PostgresWriteStatistics()
    }

    /// Bounds how long the first write of a busy batch waits for the batch's commit.
    private static let maxBatch = 512

    private let clients: PostgresClientHolder
    private let quotedTable: String
    private let deadline: PostgresDeadline
    private let logger: Logger
    private let metrics: PostgresWriteMetrics
    private let fence: PostgresWriteFence
    private let state = Mutex(State())

    init(
        clients: PostgresClientHolder, quotedTable: String, deadline: PostgresDeadline, logger: Logger,
        metrics: PostgresWriteMetrics, fence: PostgresWriteFence = PostgresWriteFence()
    ) {
        self.clients = clients
        self.fence = fence
        self.metrics = metrics
        self.quotedTable = quotedTable
        self.deadline = deadline
        self.logger = logger
    }

    var statistics: PostgresWriteStatistics { state.withLock { $0.statistics } }

    /// Applies `operations` atomically; returns once committed.
    func submit(_ operations: [StorageOperation]) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let (id, admission) = state.withLock { state in
                let id = state.nextID
                state.nextID &+= 1
                return (id, state.queue.admit(Pending(id: id, operations: operations, continuation: continuation)))
            }
            switch admission {
            case .rejected:
                continuation.resume(throwing: StorageError.backend("PostgreSQL storage is closed"))
            case .queued:
                armExpiry(id)
            case .startDraining:
                armExpiry(id)
                Task { await self.drain() }
            }
        }
    }

    /// Refuses new writes and returns once every accepted write has finished.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if state.withLock({ $0.queue.close(waiter: continuation) }) { continuation.resume() }
        }
    }

    /// A write still queued at its deadline fails alone (it never reaches the database).
    private func armExpiry(_ id: UInt64) {
        let timeout = deadline.timeout
        let timer = Task {
            guard (try? await Task.sleep(for: timeout)) != nil else { return }
            let expired = self.state.withLock { $0.queue.remove(firstWhere: { $0.id == id }) }
            expired?.continuation.resume(
                throwing: StorageError.unavailable("timed out after \(timeout) waiting for an earlier commit"))
        }
        let stillQueued = state.withLock { $0.queue.update(firstWhere: { $0.id == id }) { $0.expiry = timer } }
        if !stillQueued { timer.cancel() }
    }

    private func drain() async {
        while true {
            let (batch, idleWaiters) = takeBatch()
            guard !batch.isEmpty else {
                for waiter in idleWaiters { waiter.resume() }
                return
            }
            for pending in batch { pending.expiry?.cancel() }
            let writes = StorageWriteBatch(batch.map(\.operations))
            let statements = PostgresBatchStatement.statements(for: writes, quotedTable: quotedTable)
            guard !statements.isEmpty else {
                finish(batch, writes, outcome: .success(()))
                continue
            }
            let abandoned = AttemptBox()
            let started = ContinuousClock.now
            let outcome: Result<Void, any Error>
            do {
                try await deadline.run({ try await self.commit(statements) }, attempt: { abandoned.set($0) })
                outcome = .success(())
                let duration = ContinuousClock.now - started
                state.withLock { $0.statistics.record(writes: writes.acceptedCount, duration: duration) }
                metrics.recordCommit(writes: writes.acceptedCount, duration: duration)
            } catch let error as HAFencedError {
                outcome = .failure(error)
                logger.warning("a write was refused: this node is not the active node", metadata: ["error": "\(error)"])
                fence.refused()
            } catch {
                outcome = .failure(error)
                logger.warning("PostgreSQL commit failed", metadata: ["error": "\(error)"])
                if case StorageError.unavailable = error { clients.noteTimeout() }
            }
            finish(batch, writes, outcome: outcome)
            if case .failure = outcome, let attempt = abandoned.task { await waitForAbandoned(attempt) }
        }
    }

    /// A timed-out commit may still land, so the next batch waits for it: one key's writes stay in order. An attempt
    /// stuck on a connection that never answers is ended by closing the pool's connections; if even that does not
    /// end it in time, the writer goes on (logged), rather than refusing every write until the socket times out.
    private func waitForAbandoned(_ attempt: Task<Void, Never>) async {
        if await attempt.ends(within: .seconds(1)) { return }
        logger.warning("a timed-out PostgreSQL commit is still running: closing the pool's connections to end it")
        clients.resetNow()
        if await attempt.ends(within: deadline.timeout) { return }
        logger.error("a timed-out PostgreSQL commit did not end; later writes may land before it")
    }

    /// One transaction. With HA, its first statement checks that this node still holds the lock at its epoch
    /// (``PostgresHALock/checkFence(on:epoch:)``), so a deposed node's commit fails instead of landing; a standby
    /// commits nothing.
    private func commit(_ statements: [PostgresQuery]) async throws {
        let (fence, lock) = self.fence.current
        if case .refuseAll = fence { throw HAFencedError(epoch: nil) }
        try await clients.withClient { client in
            guard case .epoch(let epoch) = fence, let lock else {
                if statements.count == 1 {
                    // One statement is atomic by itself; no BEGIN/COMMIT round trips.
                    try await client.query(statements[0], logger: logger)
                    return
                }
                try await client.withTransaction(logger: logger) { connection in
                    for statement in statements { try await connection.query(statement, logger: self.logger) }
                }
                return
            }
            do {
                try await client.withTransaction(logger: logger) { connection in
                    try await lock.checkFence(on: connection, epoch: epoch)
                    for statement in statements { try await connection.query(statement, logger: self.logger) }
                }
            } catch let error as PostgresTransactionError where error.closureError is HAFencedError {
                throw HAFencedError(epoch: epoch)
            }
        }
    }

    private func takeBatch() -> ([Pending], [CheckedContinuation<Void, Never>]) {
        state.withLock { $0.queue.takeBatch(max: Self.maxBatch) }
    }

    /// Answers every write of the batch: its own refusal, or the batch's outcome.
    private func finish(_ batch: [Pending], _ writes: StorageWriteBatch, outcome: Result<Void, any Error>) {
        for (index, pending) in batch.enumerated() {
            pending.continuation.resume(with: writes.rejected[index].map { .failure($0) } ?? outcome)
        }
    }
}
