import Foundation
import NIOPosix
import SQLiteNIO
import Testing

@testable import CofferSQLite
@testable import CofferStorage

@Suite struct SQLitePhysicalTests {
    @Test func valuesSurviveCloseAndReopen() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("coffer.db").path
            let first = try await SQLitePhysical.open(path: path, logger: testLogger)
            try await first.put("core/mounts", value: [1, 2, 3])
            try await first.transaction([.put(key: "sys/a", value: [4]), .put(key: "sys/b", value: [5])])
            try await first.delete("sys/b")
            try await first.close()

            let second = try await SQLitePhysical.open(path: path, logger: testLogger)
            #expect(try await second.get("core/mounts") == [1, 2, 3])
            #expect(try await second.list(prefix: "sys/") == ["a"])
            try await second.close()
        }
    }

    @Test func databaseUsesWALAndIsPrivate() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("coffer.db").path
            let physical = try await SQLitePhysical.open(path: path, logger: testLogger)
            try await physical.put("k", value: [1])

            let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            let probe = try await SQLiteConnection.open(storage: .file(path: path), logger: testLogger)
            let journal = try await probe.query("PRAGMA journal_mode").first?.columns.first?.data.string
            #expect(journal == "wal")
            let stored = try await probe.query("SELECT value FROM kv WHERE key = 'k'").first?.columns.first?.data.blob
            #expect(stored.map { Array($0.readableBytesView) } == [1])
            try await probe.close()
            try await physical.close()
        }
    }

    @Test func writesAfterCloseAreRefused() async throws {
        try await withTemporaryDirectory { directory in
            let physical = try await SQLitePhysical.open(
                path: directory.appendingPathComponent("coffer.db").path, logger: testLogger)
            try await physical.close()
            await #expect(throws: StorageError.backend("SQLite storage is closed")) {
                try await physical.put("k", value: [1])
            }
        }
    }

    @Test func openingAnUnwritableLocationFails() async throws {
        await #expect(throws: StorageError.self) {
            _ = try await SQLitePhysical.open(path: "/nonexistent-dir/\(UUID())/coffer.db", logger: testLogger)
        }
    }

    /// Writes queued while a commit runs share the next one: with the database held locked by another
    /// connection, the first write waits inside its commit while 63 more queue, and those 63 then go out as
    /// one commit (one fsync).
    @Test func writesQueuedDuringACommitShareTheNextCommit() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("coffer.db").path
            let physical = try await SQLitePhysical.open(path: path, logger: testLogger)
            // Its own thread: the writer's busy wait must not starve the pool that runs the blocker's COMMIT.
            let blockerPool = NIOThreadPool(numberOfThreads: 1)
            blockerPool.start()
            let blocker = try await SQLiteConnection.open(
                storage: .file(path: path), threadPool: blockerPool, logger: testLogger,
                on: MultiThreadedEventLoopGroup.singleton.any())
            _ = try await blocker.query("BEGIN IMMEDIATE")

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await physical.put("g/first", value: [0]) }
                while physical.queueDepth.committing != 1 { try await Task.sleep(for: .milliseconds(2)) }
                for index in 1..<64 {
                    group.addTask { try await physical.transaction([.put(key: "g/\(index)", value: [UInt8(index)])]) }
                }
                while physical.queueDepth.pending < 63 { try await Task.sleep(for: .milliseconds(2)) }
                _ = try await blocker.query("COMMIT")
                try await group.waitForAll()
            }
            #expect(physical.writeStatistics.snapshot == .init(commits: 2, writes: 64, statements: 2))
            #expect(try await physical.list(prefix: "g/").count == 64)
            try await blocker.close()
            try await blockerPool.shutdownGracefully()
            try await physical.close()
        }
    }

    /// Sustained writes keep the write-ahead log bounded: checkpoints catch up and the log restarts from its
    /// beginning. These 2,000 transactions of two 16 KiB values made an 85 MB log when it was never reset; with
    /// checkpoints it stays near the checkpoint threshold (4,000 pages of 4 KiB, about 16 MB).
    @Test func theLogStaysBoundedUnderSustainedWrites() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("coffer.db").path
            let physical = try await SQLitePhysical.open(path: path, logger: testLogger)
            let value = [UInt8](repeating: 7, count: 16384)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<4 {
                    group.addTask {
                        for index in 0..<500 {
                            try await physical.transaction([
                                .put(key: "log/\(writer)/\(index)/a", value: value),
                                .put(key: "log/\(writer)/\(index)/b", value: value),
                            ])
                        }
                    }
                }
                try await group.waitForAll()
            }
            let walSize = try #require(try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
            #expect(walSize > 0)
            #expect(walSize < 24 * 1024 * 1024, "write-ahead log is \(walSize) bytes")
            try await physical.close()
        }
    }

    /// A batch larger than one statement's rows runs as one transaction of several statements, puts and
    /// deletes (and empty values) included.
    @Test func largeTransactionsSpanSeveralStatementsAtomically() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("coffer.db").path
            let physical = try await SQLitePhysical.open(path: path, logger: testLogger)
            let count = SQLiteBatchStatement.rowsPerStatement * 2 + 7
            try await physical.transaction((0..<count).map { .put(key: "big/\($0)", value: $0 == 3 ? [] : [1]) })
            var second: [StorageOperation] = (0..<count).filter { $0 % 2 == 0 }.map { .delete(key: "big/\($0)") }
            second.append(.put(key: "big/extra", value: [9]))
            try await physical.transaction(second)
            try await physical.close()

            let reopened = try await SQLitePhysical.open(path: path, logger: testLogger)
            let listed = try await reopened.list(prefix: "big/")
            #expect(listed.count == count / 2 + 1)
            #expect(try await reopened.get("big/3") == [])
            #expect(try await reopened.get("big/4") == nil)
            #expect(try await reopened.get("big/extra") == [9])
            try await reopened.close()
        }
    }
}

@Suite struct SQLiteWriteBatchTests {
    @Test func theLastOperationOnAKeyWinsAcrossWrites() {
        let batch = SQLiteWriteBatch([
            [.put(key: "a", value: [1]), .put(key: "b", value: [2])],
            [.delete(key: "a"), .put(key: "c", value: [3])],
            [.put(key: "b", value: [4]), .delete(key: "d")],
        ])
        #expect(batch.puts.map(\.key) == ["b", "c"])
        #expect(batch.puts.map(\.value) == [[4], [3]])
        #expect(batch.deletes == ["a", "d"])
        #expect(batch.acceptedCount == 3)
        #expect(batch.rejected.isEmpty)
    }

    @Test func aWriteWithAnInvalidKeyIsRejectedAloneAndContributesNothing() {
        let batch = SQLiteWriteBatch([
            [.put(key: "a", value: [1])],
            [.put(key: "b", value: [2]), .put(key: "bad/", value: [3])],
            [.delete(key: "c")],
        ])
        #expect(batch.puts.map(\.key) == ["a"])
        #expect(batch.deletes == ["c"])
        #expect(Array(batch.rejected.keys) == [1])
        #expect(batch.acceptedCount == 2)
    }

    @Test func statementsBindEveryRowOnceAndChunkLargeBatches() {
        let batch = SQLiteWriteBatch([
            (0..<(SQLiteBatchStatement.rowsPerStatement + 1)).map { .put(key: "k\($0)", value: $0 == 0 ? [] : [1]) },
            [.delete(key: "gone")],
        ])
        let statements = SQLiteBatchStatement.statements(for: batch)
        #expect(statements.count == 3)
        // The empty value is a literal zero-length blob, so the first chunk binds one parameter fewer.
        #expect(statements[0].binds.count == SQLiteBatchStatement.rowsPerStatement * 2 - 1)
        #expect(statements[0].sql.hasPrefix("INSERT INTO kv(key, value) VALUES (?1, zeroblob(0)), (?2, ?3)"))
        #expect(statements[1].binds.count == 2)
        #expect(statements[2].sql == "DELETE FROM kv WHERE key IN (?1)")
    }
}
