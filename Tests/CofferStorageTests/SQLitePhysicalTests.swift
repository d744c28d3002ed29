import Foundation
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
}
