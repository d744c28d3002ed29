import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import CofferPostgres
@testable import CofferStorage

/// The PostgreSQL HA lock: one live holder, epochs that only grow, no silent re-take by a lapsed holder, and a fence
/// that write transactions check and that a takeover waits for.
@Suite(.enabled(if: PostgresTestDatabase.isEnabled, PostgresTestDatabase.skipReason))
struct PostgresHALockTests {
    /// Runs `body` with a lock factory on a fresh `ha_table`, dropped afterwards.
    func withLocks(
        ttl: Duration, _ body: @Sendable (_ lock: @Sendable (String) throws -> PostgresHALock) async throws -> Void
    ) async throws {
        var settings = try PostgresTestDatabase.settings()
        settings.haTable = settings.table + "_ha"
        let table = settings.haTable
        try await PostgresTestDatabase.withClient(settings) { client in
            let make: @Sendable (String) throws -> PostgresHALock = { identity in
                try PostgresHALock(
                    client: client, table: table, key: "core/lock", identity: identity, ttl: ttl, logger: testLogger)
            }
            try await make("setup").createTableIfMissing()
            do {
                try await body(make)
            } catch {
                try? await client.query("DROP TABLE IF EXISTS \(unescaped: "\"\(table)\"")")
                throw error
            }
            try await client.query("DROP TABLE IF EXISTS \(unescaped: "\"\(table)\"")")
        }
    }

    @Test func oneHolderAtATimeAndALapsedHolderCannotRenew() async throws {
        try await withLocks(ttl: .milliseconds(300)) { lock in
            let a = try lock("node-a")
            let b = try lock("node-b")
            #expect(try await a.acquire(value: "https://a:8200") == 1)
            #expect(try await b.acquire(value: "https://b:8200") == nil)
            #expect(try await a.acquire(value: "https://a:8200") == nil)
            #expect(try await a.renew(epoch: 1))
            #expect(try await b.holder() == .init(identity: "node-a", value: "https://a:8200", epoch: 1))

            try await Task.sleep(for: .milliseconds(400))
            #expect(try await b.holder() == nil)
            #expect(try await b.acquire(value: "https://b:8200") == 2)
            #expect(try await !a.renew(epoch: 1))
            #expect(try await a.holder()?.identity == "node-b")
        }
    }

    @Test func releaseFreesTheLockAndEpochsNeverRepeat() async throws {
        try await withLocks(ttl: .seconds(30)) { lock in
            let a = try lock("node-a")
            let b = try lock("node-b")
            #expect(try await a.acquire(value: "a") == 1)
            try await b.release(epoch: 1)  // not b's: nothing happens
            #expect(try await a.holder()?.identity == "node-a")
            try await a.release(epoch: 1)
            #expect(try await a.holder() == nil)
            #expect(try await b.acquire(value: "b") == 2)
            try await b.release(epoch: 2)
            #expect(try await a.acquire(value: "a") == 3)
        }
    }

    @Test func exactlyOneOfManyContendersWins() async throws {
        try await withLocks(ttl: .seconds(30)) { lock in
            let epochs = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for node in 0..<8 {
                    let contender = try lock("node-\(node)")
                    group.addTask { try await contender.acquire(value: "n\(node)") }
                }
                var won: [Int64] = []
                for try await epoch in group { if let epoch { won.append(epoch) } }
                return won
            }
            #expect(epochs == [1])
        }
    }

    @Test func writesAreFencedAfterATakeover() async throws {
        try await withLocks(ttl: .milliseconds(300)) { lock in
            let a = try lock("node-a")
            let b = try lock("node-b")
            let epoch = try #require(try await a.acquire(value: "a"))
            try await a.client.withTransaction(logger: testLogger) { try await a.checkFence(on: $0, epoch: epoch) }
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await b.acquire(value: "b") == epoch + 1)
            // postgres-nio wraps what the transaction's body threw.
            let refused = await #expect(throws: PostgresTransactionError.self) {
                try await a.client.withTransaction(logger: testLogger) { try await a.checkFence(on: $0, epoch: epoch) }
            }
            #expect(refused?.closureError is PostgresHALock.Fenced)
            try await b.client.withTransaction(logger: testLogger) { try await b.checkFence(on: $0, epoch: epoch + 1) }
        }
    }

    /// A takeover that starts while the holder's fenced transaction is open waits for that transaction to end:
    /// a write that passed the fence lands before the new holder's epoch begins.
    @Test func aTakeoverWaitsForAFencedTransactionInFlight() async throws {
        try await withLocks(ttl: .milliseconds(200)) { lock in
            let a = try lock("node-a")
            let b = try lock("node-b")
            let epoch = try #require(try await a.acquire(value: "a"))
            let committed = CommitFlag()
            let (fenced, fencedSignal) = AsyncStream<Void>.makeStream()
            async let holder: Void = a.client.withTransaction(logger: testLogger) { connection in
                try await a.checkFence(on: connection, epoch: epoch)
                fencedSignal.yield()
                // Outlive the lease while holding the fence.
                try await Task.sleep(for: .milliseconds(500))
                committed.value.store(true, ordering: .sequentiallyConsistent)
            }
            for await _ in fenced { break }
            try await Task.sleep(for: .milliseconds(250))  // the lease has lapsed; the transaction is still open
            let taken = try await b.acquire(value: "b")
            let committedFirst = committed.value.load(ordering: .sequentiallyConsistent)
            #expect(committedFirst, "the takeover did not wait for the transaction")
            #expect(taken == epoch + 1)
            try await holder
        }
    }

    /// Set by the holder's transaction just before it commits.
    final class CommitFlag: Sendable {
        let value = Atomic<Bool>(false)
    }
}
