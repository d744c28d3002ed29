import CofferFramework
import CofferStorage
import CofferTesting
import Foundation
import Synchronization
import Testing

/// The lifecycle a ``FrameworkBackend`` declares: write-ahead entries and their rollback after the minimum age, the
/// periodic pass, and per-path sudo flags.
@Suite struct BackendLifecycleTests {
    /// What a test backend did: the names its rollback undid and how often its periodic function ran.
    final class Journal: Sendable {
        private let state = Mutex((undone: [String](), runs: 0))
        var undone: [String] { state.withLock { $0.undone } }
        var runs: Int { state.withLock { $0.runs } }
        func undo(_ name: String) { state.withLock { $0.undone.append(name) } }
        func run() { state.withLock { $0.runs += 1 } }
    }

    /// A backend whose rollback records what it undid and refuses entries of kind `stuck`; with `periodic`, a
    /// periodic function every five seconds that counts its runs.
    static func backend(minimumAge: Duration = .seconds(60), journal: Journal, periodic: Bool = false)
        -> FrameworkBackend
    {
        FrameworkBackend(
            kind: .secrets, paths: [],
            periodic: periodic ? PeriodicFunction(every: .seconds(5)) { _ in journal.run() } : nil,
            walRollback: WALRollback(minimumAge: minimumAge) { entry, _ in
                if entry.kind == "stuck" { throw LogicalError.badRequest("cannot undo") }
                journal.undo(entry.data["name"]?.stringValue ?? "")
            })
    }

    @Test func putWALStoresAnEntryUnderWALThatGetListAndDeleteSee() async throws {
        let storage = MemoryStorage()
        let before = Date().timeIntervalSince1970
        let id = try await storage.putWAL(kind: "password", data: ["name": "vault-1"])
        #expect(try await storage.listWAL() == [id])
        #expect(try await storage.list(prefix: "wal/") == [id])
        let entry = try #require(try await storage.getWAL(id))
        #expect(entry.kind == "password" && entry.data == ["name": "vault-1"] && entry.id == id)
        #expect(entry.createdAt >= before - 1 && entry.createdAt <= Date().timeIntervalSince1970 + 1)
        try await storage.deleteWAL(id)
        #expect(try await storage.getWAL(id) == nil)
        #expect(try await storage.listWAL().isEmpty)
    }

    @Test func anEntryOlderThanTheMinimumAgeIsRolledBackAndDeletedAYoungerOneStays() async throws {
        let storage = MemoryStorage()
        let journal = Journal()
        let backend = Self.backend(journal: journal)
        let id = try await storage.putWAL(kind: "password", data: ["name": "vault-1"])
        // Ages are measured from the entry's own time, so a slow run cannot age it past the minimum.
        let written = try #require(try await storage.getWAL(id)).createdAt
        func at(_ age: Double) -> Date { Date(timeIntervalSince1970: written + age) }

        // Younger than the minimum age, written by this instance: an operation may still own it.
        #expect(try await backend.rollBackWAL(storage: storage, now: at(1)).isEmpty)
        #expect(try await backend.rollBackWAL(storage: storage, now: at(59)).isEmpty)
        #expect(journal.undone.isEmpty)
        #expect(try await storage.getWAL(id) != nil)

        let rolledBack = try await backend.rollBackWAL(storage: storage, now: at(60))
        #expect(rolledBack == [id])
        #expect(journal.undone == ["vault-1"])
        #expect(try await storage.getWAL(id) == nil)
    }

    @Test func anEntryWrittenBeforeThisInstanceWasBuiltIsRolledBackAtOnce() async throws {
        let storage = MemoryStorage()
        let id = try await storage.putWAL(kind: "password", data: ["name": "crashed"])
        try await Task.sleep(for: .milliseconds(20))
        let journal = Journal()
        let restarted = Self.backend(minimumAge: .seconds(3600), journal: journal)
        #expect(try await restarted.rollBackWAL(storage: storage) == [id])
        #expect(journal.undone == ["crashed"])
        #expect(try await storage.listWAL().isEmpty)
    }

    @Test func aFailedRollbackKeepsItsEntryAndTheOthersStillRun() async throws {
        let storage = MemoryStorage()
        let stuck = try await storage.putWAL(kind: "stuck", data: ["name": "a"])
        let fine = try await storage.putWAL(kind: "password", data: ["name": "b"])
        let journal = Journal()
        let backend = Self.backend(minimumAge: .zero, journal: journal)
        await #expect(throws: LogicalError.self) {
            try await backend.rollBackWAL(storage: storage, now: Date().addingTimeInterval(1))
        }
        #expect(journal.undone == ["b"])
        #expect(try await storage.listWAL() == [stuck])
        #expect(try await storage.getWAL(fine) == nil)
    }

    @Test func thePeriodicPassRunsTheFunctionAndTheSweep() async throws {
        let storage = MemoryStorage()
        let id = try await storage.putWAL(kind: "password", data: ["name": "old"])
        try await Task.sleep(for: .milliseconds(20))
        let journal = Journal()
        let backend = Self.backend(journal: journal, periodic: true)
        #expect(backend.hasPeriodicWork)
        #expect(backend.periodicInterval == .seconds(5))
        try await backend.periodic(storage: storage)
        #expect(journal.runs == 1)
        #expect(journal.undone == ["old"])
        #expect(try await storage.getWAL(id) == nil)

        let idle = FrameworkBackend(kind: .secrets, paths: [])
        #expect(!idle.hasPeriodicWork)
        #expect(idle.periodicInterval == nil)
    }

    @Test func sudoIsDeclaredPerPathOrByPattern() {
        let noop = PathOperation { _, _ in nil }
        let backend = FrameworkBackend(
            kind: .secrets,
            paths: [
                PathDefinition("rotate-root", operations: [.update: noop], sudo: true),
                PathDefinition("role/{name}", operations: [.read: noop]),
            ], sudoPaths: ["raw*"])
        #expect(backend.isSudoRequired(path: "rotate-root"))
        #expect(!backend.isSudoRequired(path: "role/dev"))
        #expect(backend.isSudoRequired(path: "raw/anything"))
        #expect(!backend.isSudoRequired(path: "rotate"))
    }
}
