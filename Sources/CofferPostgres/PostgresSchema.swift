import CofferStorage
import Logging
import PostgresNIO

/// Creates the key/value table and its schema-version table if missing, and refuses a schema newer than this build.
///
/// Layout: `<table>(key TEXT COLLATE "C" PRIMARY KEY, value BYTEA NOT NULL)`. The primary key's B-tree, in the
/// byte order of collation "C", serves both point reads and prefix listing as a range scan
/// (`key >= prefix AND key < upperBound(prefix)`), which also treats `%` and `_` in keys literally, unlike `LIKE`.
/// `<table>_schema` holds one row with the layout's version, for later migrations. Nodes starting together
/// serialise on a transaction-scoped advisory lock, so `CREATE TABLE IF NOT EXISTS` never races (docs/storage.md).
///
/// ```swift
/// let version = try await PostgresSchema(table: "coffer_kv_store").ensure(on: client, logger: logger)   // 1
/// ```
struct PostgresSchema: Sendable {
    /// The layout this build writes and reads.
    static let currentVersion: Int32 = 1

    let table: String

    var versionTable: String { table + "_schema" }

    /// Returns the stored schema version after creating what is missing.
    func ensure(on client: PostgresClient, logger: Logger) async throws -> Int32 {
        let version = try await client.withTransaction(logger: logger) { connection -> Int32 in
            try await connection.query("SELECT pg_advisory_xact_lock(hashtext(\(table)))", logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS \(unescaped: quoted(table)) (
                    key TEXT COLLATE "C" PRIMARY KEY,
                    value BYTEA NOT NULL)
                """, logger: logger)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS \(unescaped: quoted(versionTable)) (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version INTEGER NOT NULL)
                """, logger: logger)
            try await connection.query(
                """
                INSERT INTO \(unescaped: quoted(versionTable)) (id, version) VALUES (1, \(Self.currentVersion))
                ON CONFLICT (id) DO NOTHING
                """, logger: logger)
            let rows = try await connection.query(
                "SELECT version FROM \(unescaped: quoted(versionTable)) WHERE id = 1", logger: logger)
            for try await version in rows.decode(Int32.self) { return version }
            throw StorageError.backend("\(versionTable) has no version row")
        }
        guard version <= Self.currentVersion else {
            throw StorageError.backend(
                "table \(table) has schema version \(version), written by a newer Coffer (this one knows "
                    + "\(Self.currentVersion)); upgrade Coffer")
        }
        return version
    }

    /// Identifiers cannot be bound; the name was validated (``PostgresStorageConfiguration/validateTableName(_:)``)
    /// and is quoted so PostgreSQL keeps its case.
    func quoted(_ name: String) -> String { "\"\(name)\"" }
}
