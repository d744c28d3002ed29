import CofferStorage
import SQLiteNIO
import Synchronization

/// Serialises every write to the single SQLite writer connection and commits concurrent writes
/// together (group commit): one `BEGIN IMMEDIATE … COMMIT`, hence one WAL fsync, for a whole batch.
///
/// Each submitted write runs inside its own `SAVEPOINT`, so a failing write is rolled back alone and
/// the others in the batch still commit. A write's caller resumes only after `COMMIT` returned, i.e.
/// once it is durable under `synchronous=FULL`.
///
/// ```swift
/// let queue = SQLiteWriteQueue(connection: writer)
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
        var isClosed = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    /// Bounds how long the first write of a busy batch waits for the batch's fsync.
    private static let maxBatch = 128

    private let connection: SQLiteConnection
    private let state = Mutex(State())

    init(connection: SQLiteConnection) {
        self.connection = connection
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
                defer { state.pending.removeFirst(count) }
                return (Array(state.pending.prefix(count)), [])
            }
            guard !batch.isEmpty else {
                for waiter in idleWaiters { waiter.resume() }
                return
            }
            let results = await commit(batch.map(\.operations))
            for (pending, result) in zip(batch, results) { pending.continuation.resume(with: result) }
        }
    }

    private func commit(_ writes: [[StorageOperation]]) async -> [Result<Void, any Error>] {
        // A lone single-statement write is atomic in autocommit mode: skip BEGIN/COMMIT round trips.
        if writes.count == 1, writes[0].count == 1 {
            do {
                try await apply(writes[0])
                return [.success(())]
            } catch {
                return [.failure(Self.storageError(error))]
            }
        }
        do {
            try await execute("BEGIN IMMEDIATE")
        } catch {
            return Array(repeating: .failure(Self.storageError(error)), count: writes.count)
        }
        var results: [Result<Void, any Error>] = []
        for write in writes {
            do {
                try await execute("SAVEPOINT write")
            } catch {
                return await abort(writes.count, error)
            }
            do {
                try await apply(write)
                try await execute("RELEASE write")
                results.append(.success(()))
            } catch {
                results.append(.failure(Self.storageError(error)))
                do {
                    try await execute("ROLLBACK TO write")
                    try await execute("RELEASE write")
                } catch {
                    return await abort(writes.count, error)
                }
            }
        }
        do {
            try await execute("COMMIT")
        } catch {
            return await abort(writes.count, error)
        }
        return results
    }

    /// Rolls back the whole open transaction and fails every write of the batch.
    private func abort(_ count: Int, _ error: any Error) async -> [Result<Void, any Error>] {
        // The transaction may already be gone (SQLite rolls back itself on some I/O errors).
        _ = try? await connection.query("ROLLBACK")
        return Array(repeating: .failure(Self.storageError(error)), count: count)
    }

    /// Validates each key as it is reached, after earlier statements ran, so a bad key in the middle
    /// of a batch really exercises the rollback.
    private func apply(_ operations: [StorageOperation]) async throws {
        for operation in operations {
            switch operation {
            case .put(let key, let value):
                try StorageKeys.validate(key)
                if value.isEmpty {
                    // An empty buffer binds as NULL, which NOT NULL rejects; store a zero-length blob instead.
                    try await execute(
                        "INSERT INTO kv(key, value) VALUES (?1, zeroblob(0)) "
                            + "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        [.text(key)])
                } else {
                    try await execute(
                        "INSERT INTO kv(key, value) VALUES (?1, ?2) "
                            + "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        [.text(key), .blob(ByteBuffer(bytes: value))])
                }
            case .delete(let key):
                try StorageKeys.validate(key)
                try await execute("DELETE FROM kv WHERE key = ?1", [.text(key)])
            }
        }
    }

    private func execute(_ sql: String, _ binds: [SQLiteData] = []) async throws {
        _ = try await connection.query(sql, binds)
    }

    static func storageError(_ error: any Error) -> any Error {
        error is StorageError ? error : StorageError.backend("sqlite: \(error)")
    }
}
