import CofferStorage
import Logging
import PostgresNIO

/// The HA lock on PostgreSQL: one row of the `ha_table` per lock key, held by one node for a time-to-live on the
/// database's clock, with an epoch that grows by one at every acquisition.
///
/// It avoids the weaknesses of Vault's lock (docs/storage.md): acquiring only inserts the row or takes over an
/// *expired* one, and renewing only extends a row this holder still owns, at this epoch, before it expired, so a
/// node whose lease lapsed can never silently take the lock back. ``checkFence(on:epoch:)`` is the first statement of
/// every write transaction of the holder: it keeps the row share-locked until the transaction ends, so a takeover
/// waits for a write in flight, and a write that starts after a takeover fails. Releasing expires the row rather than
/// deleting it, so epochs never repeat.
///
/// ```swift
/// let lock = try await physical.haLock(identity: nodeID, ttl: .seconds(15))   // the store's pool, deadline and fence
/// try await lock.createTableIfMissing()
/// if let epoch = try await lock.acquire(value: "https://node-a:8200") {
///     let stillHeld = try await lock.renew(epoch: epoch)   // false once the lease lapsed or another node holds it
///     try await lock.release(epoch: epoch)
/// }
/// let holder = try await lock.holder()                     // the live holder's identity, value and epoch, or nil
/// ```
public struct PostgresHALock: HALock {
    /// A write refused by ``checkFence(on:epoch:)``.
    public typealias Fenced = HAFencedError

    /// Runs one statement and collects its rows: on a plain client, or through a store's pool and deadline.
    let execute: @Sendable (PostgresQuery) async throws -> [PostgresRow]
    let quotedTable: String
    let fence: PostgresWriteFence
    public let key: String
    public let identity: String
    public let ttl: Duration
    let logger: Logger

    /// A lock on `client` alone; its fence guards no store (``PostgresPhysical/haLock(key:identity:ttl:)`` makes
    /// one that guards the store's writes). `table` must be a valid table name
    /// (``PostgresStorageConfiguration/validateTableName(_:)``); `ttl` is at least a millisecond.
    public init(
        client: PostgresClient, table: String, key: String, identity: String, ttl: Duration, logger: Logger
    ) throws {
        try self.init(
            execute: { query in try await client.query(query, logger: logger).collect() }, table: table, key: key,
            identity: identity, ttl: ttl, fence: PostgresWriteFence(), logger: logger)
    }

    init(
        execute: @escaping @Sendable (PostgresQuery) async throws -> [PostgresRow], table: String, key: String,
        identity: String, ttl: Duration, fence: PostgresWriteFence, logger: Logger
    ) throws {
        try PostgresStorageConfiguration.validateTableName(table)
        guard ttl >= .milliseconds(1) else { throw StorageError.backend("the HA lock's TTL must be at least 1 ms") }
        self.execute = execute
        self.quotedTable = "\"\(table)\""
        self.key = key
        self.identity = identity
        self.ttl = ttl
        self.fence = fence
        self.logger = logger
    }

    var ttlMilliseconds: Int64 {
        let (seconds, attoseconds) = ttl.components
        let (millis, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        return overflow ? Int64.max / 2 : millis + attoseconds / 1_000_000_000_000_000
    }

    public func createTableIfMissing() async throws {
        _ = try await execute(
            """
            CREATE TABLE IF NOT EXISTS \(unescaped: quotedTable) (
                ha_key TEXT COLLATE "C" PRIMARY KEY,
                ha_identity TEXT COLLATE "C" NOT NULL,
                ha_value TEXT COLLATE "C" NOT NULL,
                epoch BIGINT NOT NULL,
                valid_until TIMESTAMPTZ NOT NULL)
            """)
    }

    /// Takes the lock when it is free or its lease expired; returns the new epoch, or nil while another node holds
    /// a live lease (this node's own live lease included: acquire once, then renew).
    public func acquire(value: String) async throws -> Int64? {
        let rows = try await execute(
            """
            INSERT INTO \(unescaped: quotedTable) AS held (ha_key, ha_identity, ha_value, epoch, valid_until)
            VALUES (\(key), \(identity), \(value), 1, NOW() + \(ttlMilliseconds)::bigint * INTERVAL '1 millisecond')
            ON CONFLICT (ha_key) DO UPDATE SET ha_identity = EXCLUDED.ha_identity, ha_value = EXCLUDED.ha_value,
                epoch = held.epoch + 1, valid_until = EXCLUDED.valid_until
            WHERE held.valid_until < NOW()
            RETURNING epoch
            """)
        return try rows.first?.decode(Int64.self)
    }

    /// Extends this node's lease by the TTL; false when the lease already lapsed or another node took over.
    public func renew(epoch: Int64) async throws -> Bool {
        let rows = try await execute(
            """
            UPDATE \(unescaped: quotedTable) SET valid_until = NOW() + \(ttlMilliseconds)::bigint * INTERVAL '1 millisecond'
            WHERE ha_key = \(key) AND ha_identity = \(identity) AND epoch = \(epoch) AND valid_until >= NOW()
            RETURNING epoch
            """)
        return !rows.isEmpty
    }

    /// Ends this node's lease now, so another node can take over at once; nothing happens if it was not held.
    public func release(epoch: Int64) async throws {
        _ = try await execute(
            """
            UPDATE \(unescaped: quotedTable) SET valid_until = '-infinity'
            WHERE ha_key = \(key) AND ha_identity = \(identity) AND epoch = \(epoch)
            """)
    }

    /// The node holding a live lease, if any.
    public func holder() async throws -> HALockHolder? {
        let rows = try await execute(
            """
            SELECT ha_identity, ha_value, epoch FROM \(unescaped: quotedTable)
            WHERE ha_key = \(key) AND valid_until >= NOW()
            """)
        guard let (identity, value, epoch) = try rows.first?.decode((String, String, Int64).self) else { return nil }
        return HALockHolder(identity: identity, value: value, epoch: epoch)
    }

    public func fenceWrites(_ fence: HAWriteFence) {
        self.fence.set(fence, lock: self)
    }

    public func onFenced(_ handler: @escaping @Sendable () -> Void) {
        fence.onFenced(handler)
    }

    /// Inside a write transaction on `connection`: throws ``HAFencedError`` unless this node holds a live lease at
    /// `epoch`, and share-locks the lock row until the transaction ends.
    public func checkFence(on connection: PostgresConnection, epoch: Int64) async throws {
        let rows = try await connection.query(
            """
            SELECT epoch FROM \(unescaped: quotedTable)
            WHERE ha_key = \(key) AND ha_identity = \(identity) AND epoch = \(epoch) AND valid_until >= NOW()
            FOR SHARE
            """, logger: logger)
        for try await _ in rows.decode(Int64.self) { return }
        throw HAFencedError(epoch: epoch)
    }
}
