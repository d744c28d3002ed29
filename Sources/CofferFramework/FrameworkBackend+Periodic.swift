import CofferStorage
import Foundation

/// The periodic pass of a ``FrameworkBackend``: its ``PeriodicFunction``, then its ``WALRollback`` sweep, as
/// Vault's framework runs `PeriodicFunc` and then `WALRollback` on each rollback tick.
///
/// ```swift
/// try await backend.periodic(storage: storage)                       // what the core's driver calls
/// let undone = try await backend.rollBackWAL(storage: storage)        // just the sweep, e.g. in a test
/// ```
extension FrameworkBackend: PeriodicBackend {
    public var hasPeriodicWork: Bool { periodicFunction != nil || walRollback != nil }
    public var periodicInterval: Duration? { periodicFunction?.interval }

    /// Runs the periodic function and the sweep; both run even when the first fails, and the first error is thrown.
    public func periodic(storage: any Storage) async throws {
        var failure: (any Error)?
        if let periodicFunction {
            do { try await periodicFunction.run(storage) } catch { failure = error }
        }
        do { try await rollBackWAL(storage: storage) } catch { failure = failure ?? error }
        if let failure { throw failure }
    }

    /// Rolls back and deletes every write-ahead entry that is at least the minimum age old at `now`, or older than
    /// this backend instance. Returns the ids rolled back. Entries whose rollback failed stay, and one error naming
    /// them is thrown after the others were tried.
    @discardableResult
    public func rollBackWAL(storage: any Storage, now: Date = Date()) async throws -> [String] {
        guard let walRollback else { return [] }
        let cutoff = now.timeIntervalSince1970 - walRollback.minimumAgeSeconds
        var rolledBack: [String] = []
        var failures: [String] = []
        for id in try await storage.listWAL() {
            do {
                guard let entry = try await storage.getWAL(id), entry.createdAt <= cutoff || entry.createdAt < builtAt
                else { continue }
                try await walRollback.rollback(entry, storage)
                try await storage.deleteWAL(id)
                rolledBack.append(id)
            } catch {
                failures.append("\(WALEntry.storagePrefix)\(id): \(error)")
            }
        }
        if !failures.isEmpty {
            throw LogicalError(status: 500, messages: ["write-ahead rollback failed"] + failures)
        }
        return rolledBack
    }
}
