import CofferConfig
import CofferCore
import CofferPostgres
import CofferSQLite
import CofferStorage
import Logging
import Metrics

/// The persistent store a server runs on (`storage "sqlite"` or `storage "postgresql"`), with how to close it and
/// how the start banner names it (never with the PostgreSQL password).
///
/// ```swift
/// let opened = try await CofferServer.openStorage(config, logger: logger, metrics: factory)
/// defer { await opened?.close() }
/// ```
struct OpenedStorage: Sendable {
    let physical: any PhysicalStorage
    let label: String
    let close: @Sendable () async -> Void
    /// The HA lock of a store with `ha_enabled = true` (docs/ha.md); nil otherwise.
    var haLock: (any HALock)? = nil
}

extension CofferServer {
    /// nil for `storage "inmem"`, which keeps nothing across restarts (as Vault's).
    static func openStorage(
        _ config: ServerConfiguration, logger: Logger, metrics: any MetricsFactory
    ) async throws -> OpenedStorage? {
        switch config.storageType {
        case "inmem":
            return nil
        case "postgresql":
            let settings = config.postgresql
            guard let url = settings.connectionURL else {
                throw ServerStartError("storage \"postgresql\" needs connection_url or COFFER_PG_CONNECTION_URL")
            }
            var storage = try PostgresStorageConfiguration(connectionURL: url)
            storage.table = settings.table
            storage.haTable = settings.haTable
            storage.maxParallel = settings.maxParallel
            storage.maxIdleConnections = settings.maxIdleConnections
            let lockTTL = Duration.seconds(settings.lockTTL)
            // A paused node's open transaction (share-locking the lock row) must not block a takeover for long.
            if settings.haEnabled { storage.idleTransactionTimeout = lockTTL / 2 }
            let postgres = try await PostgresPhysical.open(storage, logger: logger, metrics: metrics)
            var opened = OpenedStorage(physical: postgres, label: "\(storage)", close: { await postgres.close() })
            if settings.haEnabled {
                do {
                    opened.haLock = try await postgres.haLock(identity: Hex.uuid(), ttl: lockTTL)
                } catch {
                    await postgres.close()
                    throw error
                }
            }
            return opened
        default:
            let sqlite = try await SQLitePhysical.open(path: config.storagePath, logger: logger, metrics: metrics)
            // SQLiteNIO requires its connection closed before it goes away, also on a refused start.
            return OpenedStorage(
                physical: sqlite, label: "sqlite \(config.storagePath)", close: { try? await sqlite.close() })
        }
    }
}
