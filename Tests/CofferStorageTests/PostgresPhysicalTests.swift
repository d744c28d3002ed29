import Foundation
import PostgresNIO
import Testing

@testable import CofferPostgres
@testable import CofferStorage

/// What only the PostgreSQL backend has: its schema, group commit, index use, big transactions and outages. The
/// shared contract runs on it through ``PhysicalKind/postgresql``.
@Suite(.enabled(if: PostgresTestDatabase.isEnabled, PostgresTestDatabase.skipReason))
struct PostgresPhysicalTests {
    @Test func schemaIsCreatedWithItsVersionAndReopened() async throws {
        let settings = try PostgresTestDatabase.settings()
        try await PostgresTestDatabase.withPhysical(settings) { physical, settings in
            #expect(physical.schemaVersion == PostgresSchema.currentVersion)
            try await physical.put("core/mounts", value: [1, 2, 3])
            // A second node (or a restart) opens the same tables and sees the data.
            let again = try await PostgresPhysical.open(settings, logger: testLogger)
            #expect(try await again.get("core/mounts") == [1, 2, 3])
            await again.close()
            let stored = try await PostgresTestDatabase.withClient(settings) { client in
                var versions: [Int32] = []
                let rows = try await client.query(
                    "SELECT version FROM \(unescaped: "\"\(settings.table)_schema\"")")
                for try await version in rows.decode(Int32.self) { versions.append(version) }
                return versions
            }
            #expect(stored == [1])
        }
    }

    @Test func aNewerSchemaIsRefused() async throws {
        let settings = try PostgresTestDatabase.settings()
        try await PostgresTestDatabase.withPhysical(settings) { _, settings in
            try await PostgresTestDatabase.withClient(settings) { client in
                try await client.query("UPDATE \(unescaped: "\"\(settings.table)_schema\"") SET version = 99")
            }
            await #expect(throws: StorageError.self) {
                _ = try await PostgresPhysical.open(settings, logger: testLogger)
            }
            do {
                _ = try await PostgresPhysical.open(settings, logger: testLogger)
            } catch {
                #expect("\(error)".contains("schema version 99"))
            }
        }
    }

    @Test func concurrentWritesShareCommits() async throws {
        try await PostgresTestDatabase.withPhysical { physical, _ in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<300 {
                    group.addTask { try await physical.put("g/\(index)", value: [UInt8(index % 256)]) }
                }
                try await group.waitForAll()
            }
            let statistics = physical.writeStatistics
            #expect(statistics.writes == 300)
            #expect(statistics.commits < 150, "300 concurrent writes took \(statistics.commits) commits")
            #expect(try await physical.list(prefix: "g/").count == 300)
        }
    }

    @Test func listingUsesThePrimaryKeyIndex() async throws {
        try await PostgresTestDatabase.withPhysical { physical, settings in
            for index in 0..<50 { try await physical.put("idx/\(index)", value: [1]) }
            let plan = try await PostgresTestDatabase.withClient(settings) { client in
                try await client.withConnection { connection in
                    // Without an index usable for the range, the planner falls back to a sequential scan anyway.
                    try await connection.query("SET enable_seqscan = off", logger: testLogger)
                    let list = PostgresPhysical.listQuery(table: "\"\(settings.table)\"", prefix: "idx/")
                    let explain = PostgresQuery(unsafeSQL: "EXPLAIN " + list.sql, binds: list.binds)
                    var lines: [String] = []
                    for try await line in try await connection.query(explain, logger: testLogger).decode(String.self) {
                        lines.append(line)
                    }
                    return lines.joined(separator: "\n")
                }
            }
            #expect(plan.contains("Index"), "\(plan)")
            #expect(!plan.contains("Seq Scan"), "\(plan)")
        }
    }

    @Test func sqlWildcardsInPrefixesAreLiteral() async throws {
        try await PostgresTestDatabase.withPhysical { physical, _ in
            for key in ["p%/a", "pX/b", "p_/c", "pY/d", "p\\/e", "日本/f", "日本語/g"] {
                try await physical.put(key, value: [0])
            }
            #expect(try await physical.list(prefix: "p%/") == ["a"])
            #expect(try await physical.list(prefix: "p_/") == ["c"])
            #expect(try await physical.list(prefix: "p\\/") == ["e"])
            #expect(try await physical.list(prefix: "日本/") == ["f"])
            #expect(try await physical.list(prefix: "日本") == ["/", "語/"])
            // NUL cannot be stored (PostgreSQL text refuses it): reads of such keys find nothing instead of failing.
            #expect(try await physical.get("p\u{0}/a") == nil)
            #expect(try await physical.list(prefix: "p\u{0}/") == [])
        }
    }

    @Test func aTransactionOf600KeysIsAtomic() async throws {
        try await PostgresTestDatabase.withPhysical { physical, _ in
            let keys = (0..<600).map { "big/\($0)" }
            try await physical.transaction(keys.map { .put(key: $0, value: Array($0.utf8)) })
            #expect(try await physical.list(prefix: "big/").count == 600)
            #expect(try await physical.get("big/599") == Array("big/599".utf8))

            var failing: [StorageOperation] = keys.map { .delete(key: $0) }
            failing.insert(.put(key: "big/bad/", value: [1]), at: 300)
            await #expect(throws: StorageError.self) { try await physical.transaction(failing) }
            #expect(try await physical.list(prefix: "big/").count == 600)

            try await physical.transaction(keys.map { .delete(key: $0) })
            #expect(try await physical.list(prefix: "big/") == [])
        }
    }

    /// The server ending every connection of this store (as a restart does) costs a retry, not an error.
    @Test func terminatedConnectionsAreReplacedTransparently() async throws {
        try await PostgresTestDatabase.withPhysical { physical, settings in
            try await physical.put("r/a", value: [1])
            for round in 0..<3 {
                let terminated = try await PostgresTestDatabase.withClient(settings) { client in
                    var count = 0
                    let rows = try await client.query(
                        """
                        SELECT pg_terminate_backend(pid) FROM pg_stat_activity
                        WHERE application_name = \(settings.applicationName)
                        """)
                    for try await ok in rows.decode(Bool.self) where ok { count += 1 }
                    return count
                }
                #expect(terminated >= 1, "round \(round)")
                #expect(try await physical.get("r/a") == [1])
                try await physical.put("r/\(round)", value: [2])
                #expect(try await physical.list(prefix: "r/") == (0...round).map { "\($0)" } + ["a"])
            }
        }
    }

    /// A database that cannot be reached fails the store within the operation timeout instead of hanging.
    @Test func anUnreachableDatabaseFailsWithinTheTimeout() async throws {
        var settings = try PostgresTestDatabase.settings()
        settings.host = "127.0.0.1"
        settings.port = 1  // nothing listens there: connections are refused
        settings.operationTimeout = .seconds(1)
        let started = ContinuousClock.now
        await #expect(throws: StorageError.self) { _ = try await PostgresPhysical.open(settings, logger: testLogger) }
        // The operation timeout is 1 s; the bound is wide because the full suite can stall every task for half a
        // minute (debug-built RSA key generation in the simulator fixtures). A hang would never end.
        #expect(ContinuousClock.now - started < .seconds(90))
    }
}

/// The connection URL's parsing needs no database.
@Suite struct PostgresStorageConfigurationTests {
    @Test func theConnectionURLIsParsedAndItsPasswordNeverShown() throws {
        let settings = try PostgresStorageConfiguration(
            connectionURL: "postgres://coffer:s3cr%40t@db.example:6432/vault?sslmode=require")
        #expect(settings.host == "db.example")
        #expect(settings.port == 6432)
        #expect(settings.user == "coffer")
        #expect(settings.password == "s3cr@t")
        #expect(settings.database == "vault")
        #expect(settings.tlsMode == .require)
        #expect(!"\(settings)".contains("s3cr"))
        for bad in ["mysql://u:hunter2@h/db", "postgres://:hunter2@h/db", "postgres://u:hunter2@h/db?sslmode=bogus"] {
            do {
                _ = try PostgresStorageConfiguration(connectionURL: bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(!"\(error)".contains("hunter2"), "\(error)")
            }
        }
    }
}
