import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import CofferPostgres
@testable import CofferStorage

/// The PostgreSQL HA lock: one live holder, epochs that only grow, no silent re-take by a lapsed holder, and a fence
/// that write transactions check and that a takeover attempt waits for. Leases are long and made to lapse by the test
/// (``Table/expire()``), so a slow machine cannot end one early.
@Suite(.enabled(if: PostgresTestDatabase.isEnabled, PostgresTestDatabase.skipReason))
struct PostgresHALockTests {
    /// A fresh `ha_table` and what the tests do to it behind the lock's back.
    struct Table: Sendable {
        let client: PostgresClient
        let name: String

        func lock(_ identity: String) throws -> PostgresHALock {
            try PostgresHALock(
                client: client, table: name, key: "core/lock", identity: identity, ttl: .seconds(120),
                logger: testLogger)
        }

        /// Ends the current lease as if its holder had stopped renewing it long ago.
        func expire() async throws {
            try await client.query(
                "UPDATE \(unescaped: "\"\(name)\"") SET valid_until = NOW() - INTERVAL '1 second'", logger: testLogger)
        }

        /// Waits until a statement on this table is blocked on a row lock.
        func waitForBlockedStatement() async throws {
            let pattern = "%\"\(name)\"%"
            for _ in 0..<3000 {
                let rows = try await client.query(
                    """
                    SELECT count(*) FROM pg_stat_activity
                    WHERE wait_event_type = 'Lock' AND query LIKE \(pattern)
                    """, logger: testLogger)
                for try await count in rows.decode(Int64.self) where count > 0 { return }
                try await Task.sleep(for: .milliseconds(20))
            }
            Issue.record("no statement on \(name) ever waited for the fenced transaction")
        }
    }

    func withTable(_ body: @Sendable (Table) async throws -> Void) async throws {
        var settings = try PostgresTestDatabase.settings()
        settings.haTable = settings.table + "_ha"
        let name = settings.haTable
        try await PostgresTestDatabase.withClient(settings) { client in
            let table = Table(client: client, name: name)
            try await table.lock("setup").createTableIfMissing()
            do {
                try await body(table)
            } catch {
                try? await client.query("DROP TABLE IF EXISTS \(unescaped: "\"\(name)\"")")
                throw error
            }
            try await client.query("DROP TABLE IF EXISTS \(unescaped: "\"\(name)\"")")
        }
    }

    @Test func oneHolderAtATimeAndALapsedHolderCannotRenew() async throws {
        try await withTable { table in
            let a = try table.lock("node-a")
            let b = try table.lock("node-b")
            #expect(try await a.acquire(value: "https://a:8200") == 1)
            #expect(try await b.acquire(value: "https://b:8200") == nil)
            #expect(try await a.acquire(value: "https://a:8200") == nil)
            #expect(try await a.renew(epoch: 1))
            #expect(try await b.holder() == .init(identity: "node-a", value: "https://a:8200", epoch: 1))

            try await table.expire()
            #expect(try await b.holder() == nil)
            #expect(try await !a.renew(epoch: 1))  // a lapsed lease is not revived
            #expect(try await b.acquire(value: "https://b:8200") == 2)
            #expect(try await !a.renew(epoch: 1))
            #expect(try await a.holder()?.identity == "node-b")
        }
    }

    @Test func releaseFreesTheLockAndEpochsNeverRepeat() async throws {
        try await withTable { table in
            let a = try table.lock("node-a")
            let b = try table.lock("node-b")
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
        try await withTable { table in
            let epochs = try await withThrowingTaskGroup(of: Int64?.self) { group in
                for node in 0..<8 {
                    let contender = try table.lock("node-\(node)")
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
        try await withTable { table in
            let a = try table.lock("node-a")
            let b = try table.lock("node-b")
            let epoch = try #require(try await a.acquire(value: "a"))
            try await table.client.withTransaction(logger: testLogger) { try await a.checkFence(on: $0, epoch: epoch) }
            try await table.expire()
            #expect(try await b.acquire(value: "b") == epoch + 1)
            // postgres-nio wraps what the transaction's body threw.
            let refused = await #expect(throws: PostgresTransactionError.self) {
                try await table.client.withTransaction(logger: testLogger) {
                    try await a.checkFence(on: $0, epoch: epoch)
                }
            }
            #expect(refused?.closureError is PostgresHALock.Fenced)
            try await table.client.withTransaction(logger: testLogger) {
                try await b.checkFence(on: $0, epoch: epoch + 1)
            }
        }
    }

    /// A takeover attempt that starts while the holder's fenced transaction is open waits for that transaction to
    /// end, so a write that passed the fence lands before any new epoch can begin.
    @Test func aTakeoverAttemptWaitsForAFencedTransactionInFlight() async throws {
        try await withTable { table in
            let a = try table.lock("node-a")
            let b = try table.lock("node-b")
            let epoch = try #require(try await a.acquire(value: "a"))
            let committing = CommitFlag()
            let (fenced, fencedSignal) = AsyncStream<Void>.makeStream()
            let (finish, finishSignal) = AsyncStream<Void>.makeStream()
            async let holder: Void = table.client.withTransaction(logger: testLogger) { connection in
                try await a.checkFence(on: connection, epoch: epoch)
                fencedSignal.yield()
                for await _ in finish { break }
                committing.value.store(true, ordering: .sequentiallyConsistent)
            }
            for await _ in fenced { break }
            async let attempt = b.acquire(value: "b")
            try await table.waitForBlockedStatement()
            finishSignal.yield()
            let taken = try await attempt
            let committedFirst = committing.value.load(ordering: .sequentiallyConsistent)
            #expect(committedFirst, "the takeover attempt did not wait for the fenced transaction")
            #expect(taken == nil)  // the lease was live when the attempt went through
            try await holder
        }
    }

    /// Set by the holder's transaction just before it commits.
    final class CommitFlag: Sendable {
        let value = Atomic<Bool>(false)
    }
}
