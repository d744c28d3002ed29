import CofferFramework
import Synchronization

/// The outcome of each `sys/remount` since unseal, by migration id, for `sys/remount/status/<id>`. Kept in memory
/// only, as Vault keeps its migration tracker; a move finishes before `sys/remount` answers, so every recorded
/// status is final (docs/system.md § Moving a mount).
///
/// ```swift
/// let migrations = RemountMigrations()
/// let id = migrations.record(source: "secret/", target: "kv2/", status: "success")
/// migrations.info(id)   // ["source_mount": "secret/", "target_mount": "kv2/", "status": "success"]
/// ```
final class RemountMigrations: Sendable {
    private let statuses = Mutex<[String: [String: JSONValue]]>([:])

    /// Records a finished move and returns its new migration id (a UUID).
    func record(source: String, target: String, status: String) -> String {
        let id = Hex.uuid()
        let info: [String: JSONValue] = [
            "source_mount": .string(source), "target_mount": .string(target), "status": .string(status),
        ]
        statuses.withLock { $0[id] = info }
        return id
    }

    /// The `migration_info` object of a recorded move, nil for an unknown id.
    func info(_ id: String) -> [String: JSONValue]? { statuses.withLock { $0[id] } }
}
