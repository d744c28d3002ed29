import CofferFramework
import Testing

@testable import KVSecrets

@Suite("KV v2 data/ path")
struct DataPathTests {
    @Test("a write returns flat version metadata and a read returns the data exactly as written")
    func writeThenRead() async throws {
        let kv = KVHarness()
        let written = try await kv.put("app/db", ["user": "app", "port": 5432, "nested": ["tls": true]])
        #expect(
            written == [
                "created_time": .string(startText), "custom_metadata": .null, "deletion_time": "",
                "destroyed": false, "version": 1,
            ])
        let read = try #require(try await kv.send(.read, "data/app/db"))
        #expect(read.statusCode == nil)
        #expect(read.warnings.isEmpty)
        #expect(
            read.data == [
                "data": ["user": "app", "port": 5432, "nested": ["tls": true]],
                "metadata": [
                    "created_time": .string(startText), "custom_metadata": .null, "deletion_time": "",
                    "destroyed": false, "version": 1,
                ],
            ])
    }

    @Test("each write creates the next version and ?version= reads older ones")
    func versions() async throws {
        let kv = KVHarness()
        try await kv.put("k", ["v": 1])
        kv.clock.advance(seconds: 1)
        let second = try await kv.put("k", ["v": 2])
        #expect(second["version"] == 2)
        #expect(second["created_time"] == "2024-11-29T00:00:01.123456789Z")
        #expect(try await kv.send(.read, "data/k")?.data?["data"] == ["v": 2])
        #expect(try await kv.send(.read, "data/k", ["version": "1"])?.data?["data"] == ["v": 1])
        #expect(try await kv.send(.read, "data/k", ["version": 0])?.data?["data"] == ["v": 2])
        #expect(await kv.error(.read, "data/k", ["version": 3]) == .notFound)
    }

    @Test("missing keys and versions are a plain 404")
    func missing() async throws {
        let kv = KVHarness()
        #expect(await kv.error(.read, "data/nope") == .notFound)
        try await kv.put("k", ["a": "b"])
        #expect(await kv.error(.read, "data/k", ["version": 9]) == .notFound)
    }

    @Test("a write without data is refused with no data provided")
    func noData() async throws {
        let kv = KVHarness()
        #expect(await kv.error(.update, "data/k", ["options": [:]]) == .bad("no data provided"))
        #expect(await kv.error(.update, "data/k", ["data": .null]) == .bad("no data provided"))
        #expect(await kv.error(.patch, "data/k", ["options": [:]]) == .bad("no data provided"))
        #expect(await kv.error(.read, "data/k") == .notFound)
    }

    @Test("check-and-set: 0 means must not exist, N must equal the current version, garbage is refused")
    func checkAndSet() async throws {
        let kv = KVHarness()
        try await kv.put("k", ["v": 1], options: ["cas": 0])
        #expect(
            await kv.error(.update, "data/k", ["data": ["v": 2], "options": ["cas": 0]])
                == .bad("check-and-set parameter did not match the current version"))
        #expect(
            await kv.error(.update, "data/k", ["data": ["v": 2], "options": ["cas": 2]])
                == .bad("check-and-set parameter did not match the current version"))
        #expect(
            await kv.error(.update, "data/k", ["data": ["v": 2], "options": ["cas": "abc"]])
                == .bad("error parsing check-and-set parameter"))
        #expect(try await kv.put("k", ["v": 2], options: ["cas": 1])["version"] == 2)
        #expect(try await kv.put("k", ["v": 3], options: ["cas": "2"])["version"] == 3)
        #expect(try await kv.put("k", ["v": 4])["version"] == 4)
    }

    @Test("cas_required on the mount or the key makes cas mandatory")
    func casRequired() async throws {
        let kv = KVHarness()
        _ = try await kv.send(.update, "config", ["cas_required": true])
        let required = LogicalError.bad("check-and-set parameter required for this call")
        #expect(await kv.error(.update, "data/k", ["data": ["v": 1], "options": [:]]) == required)
        try await kv.put("k", ["v": 1], options: ["cas": 0])
        _ = try await kv.send(.update, "config", ["cas_required": false])
        try await kv.put("k", ["v": 2])
        _ = try await kv.send(.update, "metadata/k", ["cas_required": true])
        #expect(await kv.error(.update, "data/k", ["data": ["v": 3]]) == required)
        try await kv.put("k", ["v": 3], options: ["cas": 2])
        try await kv.put("other", ["v": 1])
    }

    @Test("deleting the current version gives the 404 envelope with data null and the version metadata")
    func softDeleteCurrent() async throws {
        let kv = KVHarness()
        try await kv.put("k", ["v": 1])
        kv.clock.advance(seconds: 5)
        #expect(try await kv.send(.delete, "data/k") == nil)
        kv.clock.advance(seconds: 1)
        let read = try #require(try await kv.send(.read, "data/k"))
        #expect(read.statusCode == 404)
        #expect(read.warnings.isEmpty)
        #expect(
            read.data == [
                "data": .null,
                "metadata": [
                    "created_time": .string(startText), "custom_metadata": .null,
                    "deletion_time": "2024-11-29T00:00:05.123456789Z", "destroyed": false, "version": 1,
                ],
            ])
        // Deleting again, or deleting a key that never existed, is a silent no-op.
        #expect(try await kv.send(.delete, "data/k") == nil)
        #expect(try await kv.send(.delete, "data/never") == nil)
        #expect(try await kv.metadata("k")["versions"]?["1"]?["deletion_time"] == "2024-11-29T00:00:05.123456789Z")
    }

    @Test("a destroyed version reads as a 404 envelope with destroyed true and no deletion time")
    func destroyedRead() async throws {
        let kv = KVHarness()
        try await kv.put("k", ["v": 1])
        #expect(try await kv.send(.update, "destroy/k", ["versions": [1]]) == nil)
        let read = try #require(try await kv.send(.read, "data/k"))
        #expect(read.statusCode == 404)
        #expect(read.data?["data"] == .null)
        #expect(read.data?["metadata"]?["destroyed"] == true)
        #expect(read.data?["metadata"]?["deletion_time"] == "")
        #expect(try await kv.storage.get("versions/k/1") == nil)
    }

    @Test("merge patch: null removes, objects merge recursively, other values replace")
    func mergePatch() async throws {
        let kv = KVHarness()
        try await kv.put("k", ["keep": "x", "drop": "y", "obj": ["a": 1, "b": 2], "list": [1, 2], "scalar": 1])
        let response = try #require(
            try await kv.send(
                .patch, "data/k",
                [
                    "data": [
                        "drop": nil, "obj": ["b": nil, "c": 3], "list": [3], "scalar": ["now": "object"], "new": "n",
                    ]
                ]))
        #expect(response.data?["version"] == 2)
        #expect(response.data?["deletion_time"] == "")
        #expect(
            try await kv.send(.read, "data/k")?.data?["data"]
                == ["keep": "x", "obj": ["a": 1, "c": 3], "list": [3], "scalar": ["now": "object"], "new": "n"])
        #expect(try await kv.send(.read, "data/k", ["version": 1])?.data?["data"]?["drop"] == "y")
    }

    @Test("patch honours cas and fails with the right 404 shapes")
    func patchErrors() async throws {
        let kv = KVHarness()
        let missing = try #require(try await kv.send(.patch, "data/none", ["data": ["a": 1]]))
        #expect(missing.statusCode == 404)
        #expect(missing.data == nil)
        #expect(missing.warnings.isEmpty)

        try await kv.put("k", ["a": 1])
        #expect(
            await kv.error(.patch, "data/k", ["data": ["a": 2], "options": ["cas": 5]])
                == .bad("check-and-set parameter did not match the current version"))
        #expect(try await kv.send(.patch, "data/k", ["data": ["a": 2], "options": ["cas": 1]])?.data?["version"] == 2)

        _ = try await kv.send(.delete, "data/k")
        kv.clock.advance(seconds: 1)
        let deleted = try #require(try await kv.send(.patch, "data/k", ["data": ["a": 3]]))
        #expect(deleted.statusCode == 404)
        #expect(
            deleted.data == [
                "created_time": .string(startText), "custom_metadata": .null, "deletion_time": .string(startText),
                "destroyed": false, "version": 2,
            ])
    }

    @Test("unknown body parameters produce the framework's warning on a successful write")
    func unknownFieldWarning() async throws {
        let kv = KVHarness()
        let response = try await kv.send(
            .update, "data/k", ["data": ["a": 1], "options": [:], "zeta": 1, "bogus": "x"])
        #expect(response?.warnings == ["Endpoint ignored these unrecognized parameters: [bogus zeta]"])
        #expect(response?.data?["version"] == 1)
    }

    @Test("existence checks decide create versus update on data/ and metadata/")
    func existenceChecks() async throws {
        let kv = KVHarness()
        #expect(try await kv.backend.existenceCheck(kv.request(.update, "data/a/b")) == false)
        #expect(try await kv.backend.existenceCheck(kv.request(.update, "metadata/a/b")) == false)
        try await kv.put("a/b", ["x": 1])
        #expect(try await kv.backend.existenceCheck(kv.request(.update, "data/a/b")) == true)
        #expect(try await kv.backend.existenceCheck(kv.request(.update, "metadata/a/b")) == true)
        #expect(try await kv.backend.existenceCheck(kv.request(.update, "data/a/")) == nil)
        #expect(try await kv.backend.existenceCheck(kv.request(.update, "delete/a/b")) == nil)
        // A metadata-only key exists for both checks.
        _ = try await kv.send(.update, "metadata/m", ["max_versions": 2])
        #expect(try await kv.backend.existenceCheck(kv.request(.update, "data/m")) == true)
    }

    @Test("a write through create (new key) and update (existing key) both work")
    func createAndUpdateOperations() async throws {
        let kv = KVHarness()
        _ = try await kv.backend.handle(kv.request(.create, "data/c", ["data": ["a": 1]]))
        _ = try await kv.backend.handle(kv.request(.update, "data/c", ["data": ["a": 2]]))
        #expect(try await kv.metadata("c")["current_version"] == 2)
    }
}
