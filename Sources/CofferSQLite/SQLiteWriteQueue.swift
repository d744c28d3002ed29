import CofferStorage
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
        var pending: [Pending] = []
        var isDraining = false
        /// Writes of the commit running now.
        var committing = 0
        var isClosed = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
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
            enum Action { case rejected, queued, startDraining }
            let action = state.withLock { state -> Action in
                guard !state.isClosed else { return .rejected }
                state.pending.append(Pending(operations: operations, continuation: continuation))
                guard !state.isDraining else { return .queued }
                state.isDraining = true
                return .startDraining
            }
            switch action {
            case .rejected: continuation.resume(throwing: StorageError.backend("SQLite storage is closed"))
            case .queued: break
            case .startDraining: Task { await self.drain() }
            }
        }
    }

    /// Refuses new writes and returns once every accepted write has finished.
    func close() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isIdle = state.withLock { state -> Bool in
                state.isClosed = true
                guard state.isDraining else { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if isIdle { continuation.resume() }
        }
    }

    private func drain() async {
        while true {
            let (batch, idleWaiters) = state.withLock { state -> ([Pending], [CheckedContinuation<Void, Never>]) in
                guard !state.pending.isEmpty else {
                    state.isDraining = false
                    defer { state.idleWaiters = [] }
                    return ([], state.idleWaiters)
                }
                let count = min(Self.maxBatch, state.pending.count)
                state.committing = count
                defer { state.pending.removeFirst(count) }
                return (Array(state.pending.prefix(count)), [])
            }
            guard !batch.isEmpty else {
                for waiter in idleWaiters { waiter.resume() }
                return
            }
            let results = await commit(batch.map(\.operations))
            state.withLock { $0.committing = 0 }
            for (pending, result) in zip(batch, results) { pending.continuation.resume(with: result) }
        }
    }

    /// Validates and folds the batch, then applies it with as few statements as it needs: one statement is
    /// atomic by itself in autocommit mode; more run inside one `BEGIN IMMEDIATE … COMMIT`. Either way the
    /// batch costs one WAL fsync under `synchronous=FULL`.
    private func commit(_ writes: [[StorageOperation]]) async -> [Result<Void, any Error>] {
        let batch = SQLiteWriteBatch(writes)
        let statements = SQLiteBatchStatement.statements(for: batch)
        var outcome: Result<Void, any Error> = .success(())
        if !statements.isEmpty {
            outcome = await apply(statements)
            if case .success = outcome {
                statistics.recordCommit(writes: batch.acceptedCount, statements: statements.count)
            }
        }
        return writes.indices.map { index in batch.rejected[index].map { .failure($0) } ?? outcome }
    }

    private func apply(_ statements: [SQLiteBatchStatement]) async -> Result<Void, any Error> {
        do {
            if statements.count == 1 {
                try await execute(statements[0].sql, statements[0].binds)
                return .success(())
            }
            try await execute("BEGIN IMMEDIATE")
        } catch {
            return .failure(Self.storageError(error))
        }
        do {
            for statement in statements { try await execute(statement.sql, statement.binds) }
            try await execute("COMMIT")
            return .success(())
        } catch {
            // The transaction may already be gone (SQLite rolls back itself on some I/O errors).
            _ = try? await connection.query("ROLLBACK")
            return .failure(Self.storageError(error))
        }
    }

    private func execute(_ sql: String, _ binds: [SQLiteData] = []) async throws {
        _ = try await connection.query(sql, binds)
    }

    static func storageError(_ error: any Error) -> any Error {
        error is StorageError ? error : StorageError.backend("sqlite: \(error)")
    }
}

extension SQLiteWriteQueue {
    /// Writes waiting for the next commit, and writes of the commit running now (tests use them to line up
    /// a batch deterministically).
    var queueDepth: (pending: Int, committing: Int) { state.withLock { ($0.pending.count, $0.committing) } }
}
