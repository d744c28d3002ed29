import CofferFramework
import Testing

@testable import KVSecrets

@Suite("KV v2 metadata/ and config paths")
struct MetadataPathTests {
    @Test("metadata read has Vault's exact shape")
    func readShape() async throws {
        let kv = KVHarness()
        try await kv.put("k", ["v": 1])
        kv.clock.advance(seconds: 2)
        try await kv.put("k", ["v": 2])
        _ = try await kv.send(.update, "destroy/k", ["versions": [2]])
        let meta = try await kv.metadata("k")
        #expect(
            meta == [
                "cas_required": false, "created_time": .string(startText), "current_version": 2,
                "custom_metadata": .null, "delete_version_after": "0s", "max_versions": 0, "oldest_version": 0,
                "updated_time": "2024-11-29T00:00:02.123456789Z",
                "versions": [
                    "1": ["created_time": .string(startText), "deletion_time": "", "destroyed": false],
                    "2": ["created_time": "2024-11-29T00:00:02.123456789Z", "deletion_time": "", "destroyed": true],
                ],
            ])
        #expect(await kv.error(.read, "metadata/none") == .notFound)
    }

    @Test("a metadata write creates a key without versions; an empty write creates nothing")
    func metadataOnlyKey() async throws {
        let kv = KVHarness()
        #expect(try await kv.send(.update, "metadata/empty", [:]) == nil)
        #expect(await kv.error(.read, "metadata/empty") == .notFound)

        #expect(
            try await kv.send(
                .update, "metadata/k",
                [
                    "max_versions": 5, "cas_required": "true", "delete_version_after": "3h",
                    "custom_metadata": ["owner": "ops"],
                ])
                == nil)
        let meta = try await kv.metadata("k")
        #expect(meta["current_version"] == 0)
        #expect(meta["max_versions"] == 5)
        #expect(meta["cas_required"] == true)
        #expect(meta["delete_version_after"] == "3h0m0s")
        #expect(meta["custom_metadata"] == ["owner": "ops"])
        #expect(meta["created_time"] == .string(startText))
        #expect(meta["versions"] == [:])
        #expect(await kv.error(.read, "data/k") == .notFound)
        // The key's cas_required applies to the first data write.
        #expect(
            await kv.error(.update, "data/k", ["data": ["a": 1]])
                == .bad("check-and-set parameter required for this call"))
        let written = try await kv.put("k", ["a": 1], options: ["cas": 0])
        #expect(written["custom_metadata"] == ["owner": "ops"])
        #expect(try await kv.send(.read, "data/k")?.data?["metadata"]?["custom_metadata"] == ["owner": "ops"])
    }

    @Test("custom_metadata limits produce Vault's multierror messages")
    func customMetadataLimits() async throws {
        let kv = KVHarness()
        var many: [String: JSONValue] = [:]
        for index in 0..<65 { many["k\(index)"] = "v" }
        #expect(
            await kv.error(.update, "metadata/k", ["custom_metadata": .object(many)])
                == .badMulti("custom_metadata validation failed: payload must contain at most 64 keys, provided 65"))
        let longKey = String(repeating: "k", count: 129)
        #expect(
            await kv.error(.update, "metadata/k", ["custom_metadata": [longKey: "v", "empty": ""]])
                == .badMulti(
                    "custom_metadata validation failed: length of value for key \"empty\" is 0 but must be 0 < len(value) <= 512",
                    "custom_metadata validation failed: length of key \"\(longKey)\" is 129 but must be 0 < len(key) <= 128"
                ))
        #expect(
            await kv.error(.update, "metadata/k", ["custom_metadata": ["bell": "ring\u{7}"]])
                == .badMulti(
                    "custom_metadata validation failed: value for key \"bell\" contains unprintable characters"))
        #expect(await kv.error(.read, "metadata/k") == .notFound)
        var sixtyFour: [String: JSONValue] = [:]
        for index in 0..<64 { sixtyFour["k\(index)"] = .string(String(repeating: "v", count: 512)) }
        #expect(try await kv.send(.update, "metadata/k", ["custom_metadata": .object(sixtyFour)]) == nil)
    }

    @Test("custom_metadata set to an empty map reads back as null, as in Vault")
    func emptyCustomMetadata() async throws {
        let kv = KVHarness()
        _ = try await kv.send(.update, "metadata/k", ["custom_metadata": [:]])
        #expect(try await kv.metadata("k")["custom_metadata"] == .null)
    }

    @Test("cas_required false on a key under a CAS-requiring mount is stored with a warning")
    func casRequiredWarning() async throws {
        let kv = KVHarness()
        _ = try await kv.send(.update, "config", ["cas_required": true])
        let response = try #require(try await kv.send(.update, "metadata/k", ["cas_required": false]))
        #expect(response.data == nil)
        #expect(response.statusCode == nil)
        #expect(
            response.warnings == [
                "\"cas_required\" set to false, but is mandated by backend config. This value will be ignored."
            ])
        #expect(try await kv.metadata("k")["cas_required"] == false)
        #expect(try await kv.send(.update, "metadata/k", ["cas_required": true]) == nil)
    }

    @Test("metadata patch merges settings and custom_metadata; a missing key is a bare 404")
    func metadataPatch() async throws {
        let kv = KVHarness()
        let missing = try #require(try await kv.send(.patch, "metadata/none", ["max_versions": 1]))
        #expect(missing.statusCode == 404)
        #expect(missing.data == nil)
        #expect(missing.warnings.isEmpty)

        _ = try await kv.send(
            .update, "metadata/k",
            ["max_versions": 4, "custom_metadata": ["a": "1", "b": "2"], "delete_version_after": "1h"])
        #expect(
            try await kv.send(.patch, "metadata/k", ["custom_metadata": ["a": nil, "c": 3], "cas_required": true])
                == nil)
        let meta = try await kv.metadata("k")
        #expect(meta["custom_metadata"] == ["b": "2", "c": "3"])
        #expect(meta["cas_required"] == true)
        #expect(meta["max_versions"] == 4)
        #expect(meta["delete_version_after"] == "1h0m0s")
        _ = try await kv.send(.patch, "metadata/k", ["delete_version_after": "0s"])
        #expect(try await kv.metadata("k")["delete_version_after"] == "0s")
    }

    @Test("deleting metadata removes every version; the key then restarts at version 1")
    func metadataDelete() async throws {
        let kv = KVHarness()
        try await kv.put("k", ["v": 1])
        try await kv.put("k", ["v": 2])
        #expect(try await kv.send(.delete, "metadata/k") == nil)
        #expect(await kv.error(.read, "data/k") == .notFound)
        #expect(await kv.error(.read, "metadata/k") == .notFound)
        #expect(try await kv.storage.list(prefix: "") == [])
        #expect(try await kv.put("k", ["v": 3])["version"] == 1)
        #expect(try await kv.send(.delete, "metadata/none") == nil)
    }

    @Test("list at the mount root and nested folders, with or without the trailing slash")
    func list() async throws {
        let kv = KVHarness()
        for path in ["b", "a", "team/x", "team/y/z", "team"] { try await kv.put(path, ["v": 1]) }
        #expect(try await kv.send(.list, "metadata/")?.data == ["keys": ["a", "b", "team", "team/"]])
        #expect(try await kv.send(.list, "metadata/team/")?.data == ["keys": ["x", "y/"]])
        #expect(try await kv.send(.list, "metadata/team")?.data == ["keys": ["x", "y/"]])
        #expect(try await kv.send(.list, "metadata/nothing/")?.data == ["keys": []])
    }

    @Test("config has Vault's defaults and round-trips its settings")
    func config() async throws {
        let kv = KVHarness()
        #expect(
            try await kv.send(.read, "config")?.data
                == ["cas_required": false, "delete_version_after": "0s", "max_versions": 0])
        #expect(try await kv.send(.update, "config", [:]) == nil)
        #expect(
            try await kv.send(.update, "config", ["max_versions": 10, "delete_version_after": "3h", "cas_required": 1])
                == nil)
        #expect(
            try await kv.send(.read, "config")?.data
                == ["cas_required": true, "delete_version_after": "3h0m0s", "max_versions": 10])
        #expect(
            await kv.error(.update, "config", ["max_versions": "many"])
                == .bad(
                    "error converting input many for field \"max_versions\": cannot parse '' as int: strconv.ParseInt: parsing \"many\": invalid syntax"
                ))
    }

    @Test("config survives a new backend instance over the same storage")
    func configPersists() async throws {
        let kv = KVHarness()
        _ = try await kv.send(.update, "config", ["max_versions": 7])
        let fresh = KVBackend.makeVersioned()
        let read = try await fresh.handle(kv.request(.read, "config"))
        #expect(read?.data?["max_versions"] == 7)
    }
}
