import CofferStorage

/// How a ``FrameworkBackend`` undoes a ``WALEntry`` an interrupted operation left behind (Vault's
/// `framework.Backend.WALRollback` and `WALRollbackMinAge`).
///
/// ```swift
/// WALRollback(minimumAge: .seconds(600)) { entry, storage in
///     guard entry.kind == "password" else { return }
///     try await graph.removePassword(named: entry.data["display_name"]?.stringValue ?? "")
/// }
/// ```
///
/// Each periodic pass hands the rollback every entry that is at least `minimumAge` old, or that was written before
/// this backend instance was built (no operation running here can own it), and deletes the entry when the rollback
/// returns. A rollback that throws leaves its entry for the next pass. Younger entries belong to operations that may
/// still be running, so `minimumAge` must exceed the longest such operation; a rollback that shares a lock with the
/// operation it undoes should re-read its entry (``Storage/getWAL(_:)``) after taking the lock.
public struct WALRollback: Sendable {
    /// Vault's default minimum age: ten minutes.
    public static let defaultMinimumAge = Duration.seconds(600)

    public var minimumAge: Duration
    public var rollback: @Sendable (WALEntry, any Storage) async throws -> Void

    public init(
        minimumAge: Duration = WALRollback.defaultMinimumAge,
        _ rollback: @escaping @Sendable (WALEntry, any Storage) async throws -> Void
    ) {
        self.minimumAge = minimumAge
        self.rollback = rollback
    }

    var minimumAgeSeconds: Double {
        Double(minimumAge.components.seconds) + Double(minimumAge.components.attoseconds) / 1e18
    }
}
