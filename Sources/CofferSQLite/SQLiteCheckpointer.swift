import Logging
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization

/// Copies the write-ahead log into the database file on a connection and thread of its own.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses its threshold, on the writer: under
/// load that was a fifth of the writer's time, and the writer is what bounds durable write throughput. The
/// writer therefore runs with `wal_autocheckpoint=0` and reports each commit here; every `interval` commits a
/// `PASSIVE` checkpoint starts, which never blocks the writer or readers. Durability does not depend on it:
/// every commit is already fsynced in the log (`synchronous=FULL`); a checkpoint only bounds the log's size.
///
/// ```swift
/// let checkpointer = try await SQLiteCheckpointer.open(path: path, interval: 32, logger: logger)
/// checkpointer.committed()          // after each durable commit
/// try await checkpointer.close()
/// ```
final class SQLiteCheckpointer: Sendable {
    private struct State {
        var commitsSinceCheckpoint = 0
        var isRunning = false
        var isClosed = false
        var idleWaiter: CheckedContinuation<Void, Never>?
    }

    private let connection: SQLiteConnection
    private let threadPool: NIOThreadPool
    private let interval: Int
    private let logger: Logger
    private let state = Mutex(State())

    private init(connection: SQLiteConnection, threadPool: NIOThreadPool, interval: Int, logger: Logger) {
        self.connection = connection
        self.threadPool = threadPool
        self.interval = max(1, interval)
        self.logger = logger
    }

    static func open(path: String, interval: Int, logger: Logger) async throws -> SQLiteCheckpointer {
        let threadPool = NIOThreadPool(numberOfThreads: 1)
        threadPool.start()
        do {
            let connection = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: threadPool, logger: logger,
                on: MultiThreadedEventLoopGroup.singleton.any())
            _ = try await connection.query("PRAGMA synchronous=FULL")
            return SQLiteCheckpointer(
                connection: connection, threadPool: threadPool, interval: interval, logger: logger)
        } catch {
            try? await threadPool.shutdownGracefully()
            throw error
        }
    }

    /// Counts a durable commit; starts a checkpoint when `interval` commits have passed and none is running.
    func committed() {
        let start = state.withLock { state -> Bool in
            state.commitsSinceCheckpoint += 1
            guard !state.isRunning, !state.isClosed, state.commitsSinceCheckpoint >= interval else { return false }
            state.isRunning = true
            state.commitsSinceCheckpoint = 0
            return true
        }
        guard start else { return }
        connection.query("PRAGMA wal_checkpoint(PASSIVE)", [], logger: logger) { _ in }.whenComplete { result in
            if case .failure(let error) = result {
                self.logger.warning("SQLite checkpoint failed; it is retried later", metadata: ["error": "\(error)"])
            }
            let waiter = self.state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.isRunning = false
                defer { state.idleWaiter = nil }
                return state.idleWaiter
            }
            waiter?.resume()
        }
    }

    /// Waits for a running checkpoint, then closes the connection and its thread.
    func close() async throws {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let isIdle = state.withLock { state -> Bool in
                state.isClosed = true
                guard state.isRunning else { return true }
                state.idleWaiter = continuation
                return false
            }
            if isIdle { continuation.resume() }
        }
        try await connection.close()
        try await threadPool.shutdownGracefully()
    }
}
