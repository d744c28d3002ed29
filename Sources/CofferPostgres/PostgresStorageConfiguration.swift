import CofferStorage
import Foundation

/// Where and how ``PostgresPhysical`` connects, parsed from `storage "postgresql"`'s `connection_url` and keys.
///
/// The URL's password is kept only to log in: ``description`` and every error name the host, port, database and
/// user, never the password, so the configuration can be logged as is.
///
/// ```swift
/// var settings = try PostgresStorageConfiguration(connectionURL: "postgres://coffer:pw@db:5432/coffer?sslmode=require")
/// settings.table = "coffer_kv_store"
/// settings.maxParallel = 16
/// ```
public struct PostgresStorageConfiguration: Sendable, CustomStringConvertible {
    /// TLS as libpq's `sslmode`: `disable`; `prefer`/`require` encrypt without verifying the server's certificate
    /// (libpq's own meaning); `verify-ca`/`verify-full` verify it against the system trust roots.
    public enum TLSMode: String, Sendable {
        case disable, prefer, require
        case verifyCA = "verify-ca"
        case verifyFull = "verify-full"
    }

    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String?
    public var tlsMode: TLSMode
    /// The key/value table; created if missing, with `<table>_schema` beside it.
    public var table = PostgresStorageConfiguration.defaultTable
    /// The HA lock's table (``PostgresHALock``); created if missing when HA is on.
    public var haTable = PostgresStorageConfiguration.defaultHATable
    /// Most connections open at once (Vault's `max_parallel`).
    public var maxParallel = 128
    /// Connections kept open while idle; others close after a minute unused.
    public var maxIdleConnections = 0
    /// How long a read or a commit may wait for PostgreSQL (connection, retries included) before it fails with
    /// ``StorageError/unavailable(_:)``: requests during an outage get a 503 rather than hang.
    public var operationTimeout: Duration = .seconds(5)
    /// PostgreSQL ends a session left idle inside a transaction this long (`idle_in_transaction_session_timeout`):
    /// a paused node cannot keep the HA lock's row share-locked, and so block a takeover, for longer.
    public var idleTransactionTimeout: Duration = .seconds(30)
    /// What `pg_stat_activity` shows for these connections.
    public var applicationName = "coffer"

    public static let defaultTable = "coffer_kv_store"
    public static let defaultHATable = "coffer_ha_locks"

    /// Parses a `postgres://` or `postgresql://` URL (`user:password@host:port/database?sslmode=…`). Errors never
    /// repeat the URL, which holds the password.
    public init(connectionURL: String) throws {
        guard let components = URLComponents(string: connectionURL),
            ["postgres", "postgresql"].contains(components.scheme?.lowercased() ?? "")
        else {
            throw StorageError.backend(
                "connection_url must be a postgres://user:password@host:port/database URL (value not shown)")
        }
        guard let host = components.host, !host.isEmpty else {
            throw StorageError.backend("connection_url has no host (value not shown)")
        }
        guard let user = components.user, !user.isEmpty else {
            throw StorageError.backend("connection_url has no user name (value not shown)")
        }
        self.host = host
        self.port = components.port ?? 5432
        self.user = user
        self.password = components.password
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? nil : path
        let sslmode = components.queryItems?.last { $0.name == "sslmode" }?.value ?? "prefer"
        guard let mode = TLSMode(rawValue: sslmode) else {
            throw StorageError.backend(
                "connection_url: unsupported sslmode \"\(sslmode)\" (disable, prefer, require, verify-ca, verify-full)")
        }
        self.tlsMode = mode
    }

    /// Table names are written into SQL (identifiers cannot be bound), so only plain identifiers are accepted.
    public static func validateTableName(_ name: String) throws {
        let allowed = name.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_")
        }
        let startsWithDigit = name.utf8.first.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? true
        guard allowed, !startsWithDigit, name.utf8.count <= 48 else {
            throw StorageError.backend(
                "table \"\(name)\" must be 1-48 letters, digits or underscores, not starting with a digit")
        }
    }

    public var description: String {
        "postgresql://\(user)@\(host):\(port)/\(database ?? user) (table \(table), sslmode \(tlsMode.rawValue))"
    }
}
