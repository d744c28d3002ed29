import CofferStorage
import Logging
import PostgresNIO
import Synchronization

/// The connection pool ``PostgresPhysical`` uses now, replaced by a fresh one while PostgreSQL stays unreachable.
///
/// postgres-nio's pool backs off between failed connection attempts up to a minute, so after a long outage the
/// first connection could come a minute after PostgreSQL is back. While no operation has succeeded for
/// ``refreshInterval``, each outage failure may swap in a new pool (at most once per interval), whose first attempt
/// comes at once; the old pool is shut down once the operations it still serves have had their deadline.
///
/// ```swift
/// let holder = PostgresClientHolder(configuration: configuration, logger: logger, drainDelay: .seconds(5))
/// let rows = try await holder.withClient { client in try await client.query("SELECT 1") }
/// ```
final class PostgresClientHolder: Sendable {
    private struct State {
        var client: PostgresClient
        var runner: Task<Void, Never>
        var retired: [Task<Void, Never>] = []
        var lastSuccess = ContinuousClock.now
        var lastRefresh = ContinuousClock.now
        var isClosed = false
    }

    static let refreshInterval: Duration = .seconds(2)

    private let configuration: PostgresClient.Configuration
    private let logger: Logger
    private let drainDelay: Duration
    private let state: Mutex<State>

    init(configuration: PostgresClient.Configuration, logger: Logger, drainDelay: Duration) {
        self.configuration = configuration
        self.logger = logger
        self.drainDelay = drainDelay
        let (client, runner) = Self.start(configuration, logger: logger)
        self.state = Mutex(State(client: client, runner: runner))
    }

    private static func start(
        _ configuration: PostgresClient.Configuration, logger: Logger
    ) -> (PostgresClient, Task<Void, Never>) {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        return (client, Task { await client.run() })
    }

    /// Runs `body` on the current pool, noting its success, or its outage failure (which may refresh the pool).
    func withClient<T: Sendable>(_ body: (PostgresClient) async throws -> T) async throws -> T {
        let client = state.withLock { $0.client }
        do {
            let result = try await body(client)
            state.withLock { $0.lastSuccess = .now }
            return result
        } catch {
            if PostgresFailure.isTransient(error) { refreshIfStale(failed: client) }
            // An operation caught on a pool that was replaced (and is shutting down) meanwhile is retried on the new
            // one, like any outage failure, rather than failing with the old pool's shutdown error.
            if state.withLock({ $0.client !== client && !$0.isClosed }) {
                throw StorageError.unavailable("the connection pool was replaced during an outage")
            }
            throw error
        }
    }

    private func refreshIfStale(failed: PostgresClient) {
        let now = ContinuousClock.now
        let retiring = state.withLock { state -> Task<Void, Never>? in
            guard !state.isClosed, state.client === failed,
                now - state.lastSuccess >= Self.refreshInterval, now - state.lastRefresh >= Self.refreshInterval
            else { return nil }
            let old = state.runner
            (state.client, state.runner) = Self.start(configuration, logger: logger)
            state.lastRefresh = now
            let drainDelay = self.drainDelay
            let retirement = Task {
                try? await Task.sleep(for: drainDelay)
                old.cancel()
                await old.value
            }
            // Older retirements ended long ago (each takes drainDelay); keep the list short.
            state.retired = state.retired.suffix(15) + [retirement]
            return retirement
        }
        if retiring != nil { logger.info("PostgreSQL unreachable: starting a fresh connection pool") }
    }

    /// An operation ran out of time. Statements waiting on connections that will never answer (a database host gone
    /// without resetting its sockets) hold their connections until the kernel gives up on them, which may be never;
    /// so when nothing has succeeded for ``refreshInterval``, the pool is replaced at once and its connections closed.
    func noteTimeout() {
        let now = ContinuousClock.now
        let isStale = state.withLock { state in
            !state.isClosed && now - state.lastSuccess >= Self.refreshInterval
                && now - state.lastRefresh >= Self.refreshInterval
        }
        if isStale {
            logger.info("PostgreSQL does not answer: closing the pool's connections and starting a fresh pool")
            resetNow()
        }
    }

    /// Replaces the pool at once and shuts the old one down, closing its connections, which ends a statement still
    /// waiting on a connection that will never answer (a dead peer without a reset).
    func resetNow() {
        let old = state.withLock { state -> Task<Void, Never>? in
            guard !state.isClosed else { return nil }
            let old = state.runner
            (state.client, state.runner) = Self.start(configuration, logger: logger)
            state.lastRefresh = .now
            state.retired = state.retired.suffix(15) + [old]
            return old
        }
        old?.cancel()
    }

    /// Shuts every pool down.
    func close() async {
        let (runner, retired) = state.withLock { state in
            state.isClosed = true
            return (state.runner, state.retired)
        }
        runner.cancel()
        await runner.value
        for retirement in retired {
            retirement.cancel()
            await retirement.value
        }
    }
}
