import CofferStorage
import CoreMetrics
import Logging
import PostgresNIO

/// ``PhysicalStorage`` on PostgreSQL (`storage "postgresql"`), the shared store several Coffer nodes will use for HA.
///
/// Reads go through a pool of at most `max_parallel` connections (`PostgresClient`); writes are group-committed by
/// one writer (``PostgresWriteQueue``), each acknowledged only once its transaction committed. Every statement binds
/// its values. The table and its schema version are created if missing (``PostgresSchema``). During an outage each
/// operation is retried with backoff and fails with ``StorageError/unavailable(_:)`` (HTTP 503) after
/// ``PostgresStorageConfiguration/operationTimeout``; the pool reconnects by itself once PostgreSQL is back.
///
/// ```swift
/// var settings = try PostgresStorageConfiguration(connectionURL: url)
/// let physical = try await PostgresPhysical.open(settings, logger: logger)
/// try await physical.put("core/mounts", value: bytes)
/// await physical.close()
/// ```
public final class PostgresPhysical: PhysicalStorage {
    private let clients: PostgresClientHolder
    private let quotedTable: String
    private let deadline: PostgresDeadline
    private let writes: PostgresWriteQueue
    private let fence = PostgresWriteFence()
    private let haTable: String
    private let logger: Logger
    /// The schema version found (or created) at open.
    public let schemaVersion: Int32

    private init(
        clients: PostgresClientHolder, schema: PostgresSchema, schemaVersion: Int32, deadline: PostgresDeadline,
        haTable: String, logger: Logger, metrics: PostgresWriteMetrics
    ) {
        self.clients = clients
        self.haTable = haTable
        self.quotedTable = schema.quoted(schema.table)
        self.deadline = deadline
        self.logger = logger
        self.schemaVersion = schemaVersion
        self.writes = PostgresWriteQueue(
            clients: clients, quotedTable: quotedTable, deadline: deadline, logger: logger, metrics: metrics,
            fence: fence)
    }

    /// Connects, creates the table if missing and checks its schema version. Fails (rather than serving) when
    /// PostgreSQL cannot be reached within the operation timeout. Commit counters go to `metrics`.
    public static func open(
        _ settings: PostgresStorageConfiguration, logger: Logger, metrics: any MetricsFactory = MetricsSystem.factory
    ) async throws -> PostgresPhysical {
        try PostgresStorageConfiguration.validateTableName(settings.table)
        try PostgresStorageConfiguration.validateTableName(settings.haTable)
        guard settings.maxParallel >= 1 else { throw StorageError.backend("max_parallel must be at least 1") }
        let clients = PostgresClientHolder(
            configuration: clientConfiguration(settings), logger: logger, drainDelay: settings.operationTimeout)
        let deadline = PostgresDeadline(timeout: settings.operationTimeout)
        let schema = PostgresSchema(table: settings.table)
        do {
            let version = try await deadline.run {
                try await clients.withClient { try await schema.ensure(on: $0, logger: logger) }
            }
            logger.info(
                "opened PostgreSQL storage",
                metadata: ["storage": "\(settings)", "schema_version": "\(version)"])
            return PostgresPhysical(
                clients: clients, schema: schema, schemaVersion: version, deadline: deadline,
                haTable: settings.haTable, logger: logger,
                metrics: PostgresWriteMetrics(factory: metrics))
        } catch {
            await clients.close()
            throw StorageError.backend("cannot open PostgreSQL storage \(settings): \(error)")
        }
    }

    static func clientConfiguration(_ settings: PostgresStorageConfiguration) -> PostgresClient.Configuration {
        var configuration = PostgresClient.Configuration(
            host: settings.host, port: settings.port, username: settings.user, password: settings.password,
            database: settings.database, tls: tls(settings.tlsMode))
        configuration.options.maximumConnections = settings.maxParallel
        configuration.options.minimumConnections = min(max(settings.maxIdleConnections, 0), settings.maxParallel)
        configuration.options.connectTimeout = settings.operationTimeout
        // PostgreSQL takes an int of milliseconds; 0 would turn the timeout off.
        let idleMilliseconds = min(max(1, settings.idleTransactionTimeout / .milliseconds(1)), 2_000_000_000)
        configuration.options.additionalStartupParameters = [
            ("application_name", settings.applicationName),
            ("idle_in_transaction_session_timeout", "\(Int64(idleMilliseconds.rounded(.up)))"),
        ]
        return configuration
    }

    private static func tls(_ mode: PostgresStorageConfiguration.TLSMode) -> PostgresClient.Configuration.TLS {
        var unverified = TLSConfiguration.makeClientConfiguration()
        unverified.certificateVerification = .none
        switch mode {
        case .disable: return .disable
        case .prefer: return .prefer(unverified)
        case .require: return .require(unverified)
        case .verifyCA:
            var configuration = TLSConfiguration.makeClientConfiguration()
            configuration.certificateVerification = .noHostnameVerification
            return .require(configuration)
        case .verifyFull: return .require(.makeClientConfiguration())
        }
    }

    /// The HA lock in this store's `ha_table` (created if missing), run on the store's pool within `ttl / 3` per
    /// statement, whose fence guards this store's writes: with ``HAWriteFence/epoch(_:)`` every commit first checks
    /// the lease inside its own transaction.
    ///
    /// ```swift
    /// let lock = try await physical.haLock(identity: Hex.uuid(), ttl: .seconds(15))
    /// ```
    public func haLock(key: String = "core/lock", identity: String, ttl: Duration) async throws -> PostgresHALock {
        let (clients, logger) = (self.clients, self.logger)
        let deadline = PostgresDeadline(timeout: min(self.deadline.timeout, max(ttl / 3, .milliseconds(100))))
        let lock = try PostgresHALock(
            execute: { query in
                try await deadline.run { try await clients.withClient { try await $0.query(query, logger: logger).collect() } }
            }, table: haTable, key: key, identity: identity, ttl: ttl, fence: fence, logger: logger)
        try await lock.createTableIfMissing()
        return lock
    }

    /// Waits for accepted writes to finish, then closes the pool.
    public func close() async {
        await writes.close()
        await clients.close()
    }

    /// What the group commit has done since the store was opened.
    public var writeStatistics: PostgresWriteStatistics { writes.statistics }

    public func get(_ key: String) async throws -> [UInt8]? {
        // PostgreSQL text cannot hold NUL (binding one is an error); no stored key has one (writes refuse them).
        guard !key.utf8.contains(0) else { return nil }
        let (table, logger) = (quotedTable, self.logger)
        return try await read { client in
            let rows = try await client.query(
                "SELECT value FROM \(unescaped: table) WHERE key = \(key)", logger: logger)
            for try await value in rows.decode(ByteBuffer.self) { return Array(value.readableBytesView) }
            return nil
        }
    }

    public func put(_ key: String, value: [UInt8]) async throws {
        try StorageKeys.validate(key)
        try await writes.submit([.put(key: key, value: value)])
    }

    public func delete(_ key: String) async throws {
        try StorageKeys.validate(key)
        try await writes.submit([.delete(key: key)])
    }

    /// A range scan over the primary key's B-tree in byte order (collation "C"), folded into immediate children.
    public func list(prefix: String) async throws -> [String] {
        guard !prefix.utf8.contains(0) else { return [] }
        let logger = self.logger
        let query = Self.listQuery(table: quotedTable, prefix: prefix)
        let keys = try await read { client in
            var keys: [String] = []
            for try await key in try await client.query(query, logger: logger).decode(String.self) { keys.append(key) }
            return keys
        }
        var children = StorageKeys.Children(prefix: prefix)
        for key in keys { children.add(key) }
        return children.list
    }

    /// One read within the deadline, retried through outages; a timeout may replace a pool that stopped answering.
    private func read<T: Sendable>(_ body: @escaping @Sendable (PostgresClient) async throws -> T) async throws -> T {
        let clients = self.clients
        do {
            return try await deadline.run { try await clients.withClient(body) }
        } catch StorageError.unavailable(let why) {
            clients.noteTimeout()
            throw StorageError.unavailable(why)
        }
    }

    /// The listing statement; tests EXPLAIN it to check it uses the index.
    static func listQuery(table: String, prefix: String) -> PostgresQuery {
        guard let upperBound = StorageKeys.upperBound(forPrefix: prefix) else {
            return "SELECT key FROM \(unescaped: table) ORDER BY key"
        }
        return "SELECT key FROM \(unescaped: table) WHERE key >= \(prefix) AND key < \(upperBound) ORDER BY key"
    }

    public func transaction(_ operations: [StorageOperation]) async throws {
        guard !operations.isEmpty else { return }
        try await writes.submit(operations)
    }
}
