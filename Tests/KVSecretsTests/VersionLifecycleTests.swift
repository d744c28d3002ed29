import CofferFramework
import Testing

@testable import KVSecrets

@Suite("KV v2 delete/undelete/destroy, max_versions and delete_version_after")
struct VersionLifecycleTests {
    @Test("empty versions lists are refused with Vault's two different capitalisations")
    func emptyVersions() async throws {
        let kv = KVHarness()
        try await kv.put("k", ["v": 1])
        #expect(await kv.error(.update, "delete/k", [:]) == .bad("No version number provided"))
        #expect(await kv.error(.update, "undelete/k", ["versions": []]) == .bad("No version number provided"))
        #expect(await kv.error(.update, "destroy/k", ["versions": ""]) == .bad("no version number provided"))
    }

    @Test("delete and undelete take lists or comma strings and skip unknown versions silently")
    func deleteUndelete() async throws {
        let kv = KVHarness()
        for value in 1...3 { try await kv.put("k", ["v": .int(Int64(value))]) }
        #expect(try await kv.send(.update, "delete/k", ["versions": "1,3,99"]) == nil)
        kv.clock.advance(seconds: 1)
        #expect(try await kv.send(.read, "data/k", ["version": 1])?.statusCode == 404)
        #expect(try await kv.send(.read, "data/k", ["version": 2])?.data?["data"] == ["v": 2])
        #expect(try await kv.send(.read, "data/k")?.statusCode == 404)

        #expect(try await kv.send(.update, "undelete/k", ["versions": [1, 3, 42]]) == nil)
        #expect(try await kv.send(.read, "data/k")?.data?["data"] == ["v": 3])
        #expect(try await kv.send(.read, "data/k", ["version": 1])?.data?["metadata"]?["deletion_time"] == "")
        // Nothing happens for keys that do not exist.
        #expect(try await kv.send(.update, "delete/none", ["versions": [1]]) == nil)
        #expect(try await kv.send(.update, "undelete/none", ["versions": [1]]) == nil)
        #expect(try await kv.send(.update, "destroy/none", ["versions": [1]]) == nil)
    }

    @Test("destroy is permanent: undelete skips destroyed versions and their data is erased")
    func destroy() async throws {
        let kv = KVHarness()
        try await kv.put("k", ["v": 1])
        try await kv.put("k", ["v": 2])
        _ = try await kv.send(.update, "delete/k", ["versions": [1]])
        #expect(try await kv.send(.update, "destroy/k", ["versions": [1, 7]]) == nil)
        _ = try await kv.send(.update, "undelete/k", ["versions": [1]])
        let read = try #require(try await kv.send(.read, "data/k", ["version": 1]))
        #expect(read.statusCode == 404)
        #expect(read.data?["metadata"]?["destroyed"] == true)
        #expect(read.data?["metadata"]?["deletion_time"] == .string(startText))
        #expect(try await kv.storage.get("versions/k/1") == nil)
        #expect(try await kv.storage.get("versions/k/2") != nil)
        // Soft-deleting a destroyed version changes nothing.
        _ = try await kv.send(.update, "delete/k", ["versions": [1]])
        #expect(
            try await kv.metadata("k")["versions"]?["1"] == [
                "created_time": .string(startText), "deletion_time": .string(startText), "destroyed": true,
            ])
    }

    @Test("the default limit keeps 10 versions and advances oldest_version like Vault")
    func defaultMaxVersions() async throws {
        let kv = KVHarness()
        for value in 1...9 { try await kv.put("k", ["v": .int(Int64(value))]) }
        #expect(try await kv.metadata("k")["oldest_version"] == 0)
        try await kv.put("k", ["v": 10])
        // Vault moves oldest_version as soon as the window is full, before anything is removed.
        #expect(try await kv.metadata("k")["oldest_version"] == 1)
        try await kv.put("k", ["v": 11])
        let meta = try await kv.metadata("k")
        #expect(meta["oldest_version"] == 2)
        #expect(meta["current_version"] == 11)
        #expect(meta["versions"]?.objectValue?.keys.sorted() == (2...11).map(String.init).sorted())
        #expect(await kv.error(.read, "data/k", ["version": 1]) == .notFound)
        #expect(try await kv.storage.get("versions/k/1") == nil)
        #expect(try await kv.send(.read, "data/k", ["version": 2])?.data?["data"] == ["v": 2])
    }

    @Test("the effective limit is the larger of key and mount max_versions")
    func effectiveMaxVersions() async throws {
        let kv = KVHarness()
        _ = try await kv.send(.update, "config", ["max_versions": 2])
        for value in 1...4 { try await kv.put("small", ["v": .int(Int64(value))]) }
        #expect(try await kv.metadata("small")["versions"]?.objectValue?.keys.sorted() == ["3", "4"])
        #expect(try await kv.metadata("small")["oldest_version"] == 3)

        _ = try await kv.send(.update, "metadata/big", ["max_versions": 3])
        for value in 1...5 { try await kv.put("big", ["v": .int(Int64(value))]) }
        #expect(try await kv.metadata("big")["versions"]?.objectValue?.keys.sorted() == ["3", "4", "5"])
        #expect(try await kv.metadata("big")["max_versions"] == 3)

        // Lowering the key limit trims several versions on the next write.
        _ = try await kv.send(.update, "metadata/big", ["max_versions": 1])
        _ = try await kv.send(.update, "config", ["max_versions": 1])
        try await kv.put("big", ["v": 6])
        #expect(try await kv.metadata("big")["versions"]?.objectValue?.keys.sorted() == ["6"])
        for version in 1...5 { #expect(try await kv.storage.get("versions/big/\(version)") == nil) }
    }

    @Test("delete_version_after schedules deletion; a future deletion_time still reads")
    func deleteVersionAfter() async throws {
        let kv = KVHarness()
        _ = try await kv.send(.update, "config", ["delete_version_after": "1h"])
        let written = try await kv.put("k", ["v": 1])
        #expect(written["deletion_time"] == "2024-11-29T01:00:00.123456789Z")
        kv.clock.advance(seconds: 3599)
        #expect(try await kv.send(.read, "data/k")?.data?["data"] == ["v": 1])
        kv.clock.advance(seconds: 2)
        let expired = try #require(try await kv.send(.read, "data/k"))
        #expect(expired.statusCode == 404)
        #expect(expired.data?["metadata"]?["deletion_time"] == "2024-11-29T01:00:00.123456789Z")

        // The smaller non-zero of key and mount wins; undelete re-applies it from now.
        _ = try await kv.send(.update, "metadata/k", ["delete_version_after": "30m"])
        #expect(try await kv.metadata("k")["delete_version_after"] == "30m0s")
        _ = try await kv.send(.update, "undelete/k", ["versions": [1]])
        #expect(try await kv.metadata("k")["versions"]?["1"]?["deletion_time"] == "2024-11-29T01:30:01.123456789Z")
        #expect(try await kv.send(.read, "data/k")?.data?["data"] == ["v": 1])

        // A soft delete of a version scheduled in the future deletes it now.
        _ = try await kv.send(.delete, "data/k")
        #expect(try await kv.metadata("k")["versions"]?["1"]?["deletion_time"] == "2024-11-29T01:00:01.123456789Z")
    }

    @Test("a negative mount delete_version_after disables the feature for every key")
    func deleteVersionAfterDisabled() async throws {
        let kv = KVHarness()
        _ = try await kv.send(.update, "config", ["delete_version_after": "-5s"])
        #expect(try await kv.send(.read, "config")?.data?["delete_version_after"] == "-1s")
        _ = try await kv.send(.update, "metadata/k", ["delete_version_after": 60])
        #expect(try await kv.put("k", ["v": 1])["deletion_time"] == "")
        _ = try await kv.send(.update, "config", ["delete_version_after": 0])
        #expect(try await kv.put("k", ["v": 2])["deletion_time"] == "2024-11-29T00:01:00.123456789Z")
    }
}
