import CofferStorage
import CoreMetrics
import Foundation
import Logging
import SQLiteNIO
import Synchronization

/// The embedded default ``PhysicalStorage``: one SQLite file in WAL mode.
///
/// Writes go through a single writer connection that group-commits concurrent writes
/// (``SQLiteWriteQueue``); reads are spread over separate reader connections, which WAL lets run
/// alongside the writer. `synchronous=FULL` makes every acknowledged write survive a crash or
/// power loss. All statements are parameterised.
///
/// ```swift
/// let physical = try await SQLitePhysical.open(path: "/var/lib/coffer/coffer.db", logger: logger)
/// try await physical.put("core/mounts", value: bytes)
/// try await physical.close()
/// ```
public final class SQLitePhysical: PhysicalStorage {
    private let writer: SQLiteConnection
    private let readers: [SQLiteConnection]
    private let nextReader = Atomic<Int>(0)
    private let writes: SQLiteWriteQueue

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], metrics: any MetricsFactory) {
        self.writer = writer
        self.readers = readers
        self.writes = SQLiteWriteQueue(connection: writer, statistics: SQLiteWriteStatistics(factory: metrics))
    }

    /// What the group commit has done since the store was opened.
    public var writeStatistics: SQLiteWriteStatistics { writes.statistics }

    /// Writes waiting for the next commit, and writes of the commit running now.
    var queueDepth: (pending: Int, committing: Int) { writes.queueDepth }

    /// Log pages after which the writer's commit copies the log back into the database (SQLite's default is
    /// 1,000). Token keys are random, so most pages a commit dirties are distinct leaves; a longer log lets a
    /// checkpoint copy each hot page (interior nodes, the table's tail) once instead of four times.
    static let checkpointPages = 4000

    /// Opens (creating if needed, with mode 0600) the database at `path` and its `kv` table. The commit
    /// counters (``SQLiteWriteStatistics``) are reported to `metrics`.
    public static func open(
        path: String, logger: Logger, readerConnections: Int = 2, metrics: any MetricsFactory = MetricsSystem.factory
    ) async throws -> SQLitePhysical {
        precondition(readerConnections > 0, "SQLitePhysical needs at least one reader connection")
        if !FileManager.default.fileExists(atPath: path) {
            // SQLite gives the -wal and -shm files the database file's permissions.
            guard FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
            else { throw StorageError.backend("cannot create SQLite database at \(path)") }
        }
        var opened: [SQLiteConnection] = []
        do {
            let writer = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
            opened.append(writer)
            let mode = try await writer.query("PRAGMA journal_mode=WAL").first?.columns.first?.data.string
            guard mode?.lowercased() == "wal" else {
                throw StorageError.backend("SQLite at \(path) refused WAL journal mode (got \(mode ?? "nothing"))")
            }
            _ = try await writer.query("PRAGMA synchronous=FULL")
            _ = try await writer.query("PRAGMA wal_autocheckpoint=\(checkpointPages)")
            // SQLite's own checkpoint (every `checkpointPages` log pages, inside the writer's commit) is kept: it
            // runs between batches, when no frame is newer than it, so the log restarts from its beginning. A
            // checkpoint on another connection never caught up under sustained writes, and the log grew without
            // bound (docs/storage.md).
            _ = try await writer.query("CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL)")
            var readers: [SQLiteConnection] = []
            for _ in 0..<readerConnections {
                let reader = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
                opened.append(reader)
                // A reader may run the checkpoint when it is the last connection to close.
                _ = try await reader.query("PRAGMA synchronous=FULL")
                _ = try await reader.query("PRAGMA query_only=ON")
                readers.append(reader)
            }
            logger.debug("opened SQLite storage", metadata: ["path": .string(path)])
            return SQLitePhysical(writer: writer, readers: readers, metrics: metrics)
        } catch {
            for connection in opened { try? await connection.close() }
            throw SQLiteWriteQueue.storageError(error)
        }
    }

    /// Waits for accepted writes to commit, then closes every connection.
    public func close() async throws {
        await writes.close()
        for reader in readers { try await reader.close() }
        try await writer.close()
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        let rows = try await read("SELECT value FROM kv WHERE key = ?1", [.text(key)])
        guard let data = rows.first?.columns.first?.data else { return nil }
        guard case .blob(let buffer) = data else {
            throw StorageError.backend("sqlite: value at \(key) is not a blob")
        }
        return Array(buffer.readableBytesView)
    }

    public func put(_ key: String, value: [UInt8]) async throws {
        try StorageKeys.validate(key)
        try await writes.submit([.put(key: key, value: value)])
    }

    public func delete(_ key: String) async throws {
        try StorageKeys.validate(key)
        try await writes.submit([.delete(key: key)])
    }

    /// A range scan over the primary-key index (`LIKE` could not use it and would treat `%`/`_`
    /// in keys as wildcards), folded into immediate children.
    public func list(prefix: String) async throws -> [String] {
        let rows: [SQLiteRow]
        if let upperBound = StorageKeys.upperBound(forPrefix: prefix) {
            rows = try await read(
                "SELECT key FROM kv WHERE key >= ?1 AND key < ?2 ORDER BY key", [.text(prefix), .text(upperBound)])
        } else {
            rows = try await read("SELECT key FROM kv ORDER BY key", [])
        }
        var children = StorageKeys.Children(prefix: prefix)
        for row in rows {
            guard let key = row.columns.first?.data.string else { continue }
            children.add(key)
        }
        return children.list
    }

    public func transaction(_ operations: [StorageOperation]) async throws {
        guard !operations.isEmpty else { return }
        try await writes.submit(operations)
    }

    private func read(_ sql: String, _ binds: [SQLiteData]) async throws -> [SQLiteRow] {
        let reader = readers[nextReader.wrappingAdd(1, ordering: .relaxed).oldValue % readers.count]
        do {
            return try await reader.query(sql, binds)
        } catch {
            throw SQLiteWriteQueue.storageError(error)
        }
    }
}
