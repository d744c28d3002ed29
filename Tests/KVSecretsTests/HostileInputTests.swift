import CofferFramework
import CofferTesting
import Testing

@testable import KVSecrets

/// Issue 10 ("Hardening"), found by Tests/compat/test_hostile_input.py: numbers outside what KV stores are 400s
/// naming the field, the longest durations Go accepts are stored and applied without overflowing, and a NUL in
/// a KV v1 path is the client's error rather than a storage failure.
@Suite("KV hostile input")
struct HostileInputTests {
    static let maxVersionsOutOfRange =
        "for field \"max_versions\": value out of range: must be between 0 and 4294967295"

    @Test(
        "max_versions outside 0...UInt32.max is a 400 naming the field and changes nothing",
        arguments: [
            JSONValue.int(-1), .int(4_294_967_296), .int(.min), .double(1e19), .double(-1e19), .string("-1"),
            .string("4294967296"),
        ])
    func maxVersionsOutOfRange(_ value: JSONValue) async throws {
        let kv = KVHarness()
        _ = try await kv.send(.update, "config", ["max_versions": 3])
        try await kv.put("k", ["v": 1])
        _ = try await kv.send(.update, "metadata/k", ["max_versions": 5])
        let writes = [(LogicalOperation.update, "config"), (.update, "metadata/k"), (.patch, "metadata/k")]
        for (operation, path) in writes {
            let error = try #require(await kv.error(operation, path, ["max_versions": value]))
            #expect(error.status == 400)
            #expect(error.messages.count == 1)
            #expect(error.messages.first?.contains(Self.maxVersionsOutOfRange) == true, "\(error)")
        }
        #expect(try await kv.send(.read, "config")?.data?["max_versions"] == 3)
        #expect(try await kv.metadata("k")["max_versions"] == 5)
    }

    @Test("max_versions takes the whole UInt32 range")
    func maxVersionsLargest() async throws {
        let kv = KVHarness()
        #expect(try await kv.send(.update, "config", ["max_versions": 4_294_967_295]) == nil)
        #expect(try await kv.send(.read, "config")?.data?["max_versions"] == 4_294_967_295)
        #expect(try await kv.send(.update, "metadata/k", ["max_versions": "4294967295"]) == nil)
        #expect(try await kv.metadata("k")["max_versions"] == 4_294_967_295)
        try await kv.put("k", ["v": 1])
        #expect(try await kv.metadata("k")["current_version"] == 1)
    }

    @Test(
        "delete_version_after at Go's limit schedules deletion at the last representable instant",
        arguments: ["config", "metadata/k"])
    func longestDeleteVersionAfter(_ settings: String) async throws {
        let kv = KVHarness()
        #expect(try await kv.send(.update, settings, ["delete_version_after": "2562047h47m16s"]) == nil)
        let written = try await kv.put("k", ["v": 1])
        #expect(written["deletion_time"] == "2262-04-11T23:47:16.854775807Z")
        #expect(try await kv.send(.read, "data/k")?.data?["data"] == ["v": 1])
        // Undelete schedules the deletion again from now, with the same duration.
        _ = try await kv.send(.update, "delete/k", ["versions": [1]])
        _ = try await kv.send(.update, "undelete/k", ["versions": [1]])
        let read = try await kv.send(.read, "data/k")?.data
        #expect(read?["data"] == ["v": 1])
        #expect(read?["metadata"]?["deletion_time"] == "2262-04-11T23:47:16.854775807Z")
    }

    @Test("a key's delete_version_after of minus Go's limit deletes each version as it is written")
    func mostNegativeKeyDeleteVersionAfter() async throws {
        let kv = KVHarness()
        #expect(try await kv.send(.update, "metadata/k", ["delete_version_after": "-2562047h47m16s"]) == nil)
        let written = try await kv.put("k", ["v": 1])
        #expect(written["deletion_time"] == "1732-08-20T00:12:44.123456789Z")
        #expect(try await kv.send(.read, "data/k")?.statusCode == 404)
    }

    @Test("timestamps pin to the ends of the Int64 range instead of overflowing, and render there")
    func timestampEnds() {
        let now = ManualClock.start
        #expect(now.adding(seconds: 9_223_372_036).nanoseconds == .max)
        #expect(now.adding(seconds: .max).nanoseconds == .max)
        #expect(now.adding(seconds: .min).nanoseconds == .min)
        #expect(KVTimestamp(nanoseconds: .min).adding(seconds: -1).nanoseconds == .min)
        #expect(now.adding(seconds: -1).rfc3339 == "2024-11-28T23:59:59.123456789Z")
        #expect(KVTimestamp(nanoseconds: .max).rfc3339 == "2262-04-11T23:47:16.854775807Z")
        #expect(KVTimestamp(nanoseconds: .min).rfc3339 == "1677-09-21T00:12:43.145224192Z")
        #expect(KVTimestamp(nanoseconds: -1).rfc3339 == "1969-12-31T23:59:59.999999999Z")
    }

    @Test("KV v1: a NUL in the path is a 400 on write and delete, and simply not found on read")
    func passthroughNUL() async throws {
        let kv = KVHarness(version: 1)
        let refused = LogicalError.bad("path must not contain NUL characters")
        #expect(await kv.error(.update, "a\u{0}b", ["v": 1]) == refused)
        #expect(await kv.error(.delete, "a\u{0}b") == refused)
        #expect(await kv.error(.read, "a\u{0}b") == .notFound)
        #expect(try await kv.send(.update, "a", ["v": 1]) == nil)
        #expect(try await kv.send(.read, "a")?.data == ["v": 1])
    }
}
