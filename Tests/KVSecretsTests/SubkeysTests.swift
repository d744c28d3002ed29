import CofferFramework
import Testing

@testable import KVSecrets

@Suite("KV v2 subkeys/")
struct SubkeysTests {
    static let secret: [String: JSONValue] = [
        "foo": "abc", "bar": ["baz": "def", "deep": ["x": 1, "y": ["z": true]]], "quux": [:], "list": [1, 2],
    ]

    @Test("depth 0 descends everything, replacing leaves and empty objects with null")
    func unlimited() async throws {
        let kv = KVHarness()
        try await kv.put("k", Self.secret)
        let response = try #require(try await kv.send(.read, "subkeys/k"))
        #expect(
            response.data?["subkeys"]
                == ["foo": nil, "bar": ["baz": nil, "deep": ["x": nil, "y": ["z": nil]]], "quux": nil, "list": nil])
        #expect(response.data?["metadata"]?["version"] == 1)
    }

    @Test("depth limits the nesting level returned")
    func limited() async throws {
        let kv = KVHarness()
        try await kv.put("k", Self.secret)
        #expect(
            try await kv.send(.read, "subkeys/k", ["depth": 1])?.data?["subkeys"]
                == ["foo": nil, "bar": nil, "quux": nil, "list": nil])
        #expect(
            try await kv.send(.read, "subkeys/k", ["depth": "2"])?.data?["subkeys"]
                == ["foo": nil, "bar": ["baz": nil, "deep": nil], "quux": nil, "list": nil])
    }

    @Test("subkeys follows the data path's version and not-found rules")
    func versionsAndMissing() async throws {
        let kv = KVHarness()
        #expect(await kv.error(.read, "subkeys/none") == .notFound)
        try await kv.put("k", ["a": 1])
        try await kv.put("k", ["b": 1])
        #expect(try await kv.send(.read, "subkeys/k", ["version": 1])?.data?["subkeys"] == ["a": nil])
        #expect(await kv.error(.read, "subkeys/k", ["version": 5]) == .notFound)
        _ = try await kv.send(.update, "destroy/k", ["versions": [2]])
        let destroyed = try #require(try await kv.send(.read, "subkeys/k"))
        #expect(destroyed.statusCode == 404)
        #expect(destroyed.data?["subkeys"] == .null)
        #expect(destroyed.data?["metadata"]?["destroyed"] == true)
    }
}
