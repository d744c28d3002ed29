/// The keys of `storage "postgresql"` as written, before the server turns them into a connection
/// (CofferPostgres' `PostgresStorageConfiguration` parses the URL). `connectionURL` holds a password: never log it
/// or put it in an error.
///
/// ```hcl
/// storage "postgresql" {
///   connection_url = "postgres://coffer:secret@db.example.com:5432/coffer?sslmode=verify-full"
///   table          = "coffer_kv_store"
///   max_parallel   = 32
/// }
/// ```
public struct PostgreSQLStorageConfiguration: Sendable, Equatable {
    /// nil until the file or `COFFER_PG_CONNECTION_URL` sets it.
    public var connectionURL: String?
    public var table = "coffer_kv_store"
    /// Nodes sharing the tables elect one active node through the lock in `ha_table` (docs/ha.md).
    public var haEnabled = false
    public var haTable = "coffer_ha_locks"
    /// Most connections open at once (Vault's default 128).
    public var maxParallel = 128
    /// Connections kept open while idle.
    public var maxIdleConnections = 0
    /// Seconds an HA lease lasts without renewal (Coffer's `lock_ttl`; Vault's is fixed at 15 s).
    public var lockTTL: Int64 = 15

    public init() {}
}
