import CofferFramework
import CofferStorage
import Testing

@testable import KVSecrets

@Suite("KV building blocks")
struct UnitTests {
    @Test(
        "timestamps render as RFC3339 UTC with trailing zeros trimmed",
        arguments: [
            (Int64(1_732_838_400_123_456_789), "2024-11-29T00:00:00.123456789Z"),
            (1_732_838_400_120_000_000, "2024-11-29T00:00:00.12Z"),
            (1_732_838_400_000_000_000, "2024-11-29T00:00:00Z"),
            (951_782_400_000_000_001, "2000-02-29T00:00:00.000000001Z"),
            (0, "1970-01-01T00:00:00Z"),
            (-1_000_000_000, "1969-12-31T23:59:59Z"),
            (4_102_444_800_000_000_000, "2100-01-01T00:00:00Z"),
        ])
    func timestamps(nanoseconds: Int64, text: String) {
        #expect(KVTimestamp(nanoseconds: nanoseconds).rfc3339 == text)
    }

    @Test("the real clock produces a current, well-formed time")
    func realClock() {
        let now = KVTimestamp.now()
        #expect(now.nanoseconds > 1_700_000_000_000_000_000)
        #expect(now.rfc3339.hasSuffix("Z"))
        #expect(now.rfc3339.count <= 30)
    }

    @Test("merge patch follows RFC 7396's examples")
    func mergePatch() {
        #expect(JSONMergePatch.apply(["a": "z"], to: ["a": "b"]) == ["a": "z"])
        #expect(JSONMergePatch.apply(["a": nil], to: ["a": "b", "b": "c"]) == ["b": "c"])
        #expect(
            JSONMergePatch.apply(["a": ["bb": ["ccc": nil]]], to: ["a": ["bb": ["ccc": "d"]]]) == ["a": ["bb": [:]]])
        #expect(JSONMergePatch.apply(["a": ["b": "c"]], to: ["a": [1]]) == ["a": ["b": "c"]])
        #expect(JSONMergePatch.apply(["a": ["b": "c", "n": nil]], to: nil) == ["a": ["b": "c"]])
        #expect(JSONMergePatch.apply(["e": nil, "a": 1], to: [:]) == ["a": 1])
        #expect(JSONMergePatch.apply(["c"], to: ["a": "b"]) == ["c"])
    }

    @Test("custom metadata parsing converts scalars and Go-quotes unprintable keys")
    func customMetadata() throws {
        #expect(
            try CustomMetadata.parse(["s": "x", "i": 3, "b": true, "n": nil], droppingNulls: false)
                == ["s": "x", "i": "3", "b": "1", "n": ""])
        #expect(try CustomMetadata.parse(["n": nil], droppingNulls: true) == [:])
        #expect(throws: LogicalError.self) { try CustomMetadata.parse(["l": [1]], droppingNulls: false) }
        #expect(GoQuote.quote("a\u{1}b\"") == "\"a\\x01b\\\"\"")
        #expect(GoQuote.isPrintable("héllo wörld €"))
        #expect(!GoQuote.isPrintable("tab\there"))
        #expect(!GoQuote.isPrintable("nbsp\u{A0}"))
        #expect(
            throws: LogicalError.badMulti(
                "custom_metadata validation failed: key \"a\\x01\" (a\u{1}) contains unprintable characters")
        ) { try CustomMetadata.validate(["a\u{1}": "v"]) }
    }

    @Test("deletion time uses the smaller non-zero duration and honours the mount-wide disable")
    func deletionTime() {
        let created = KVTimestamp(nanoseconds: 0)
        var config = KVConfiguration()
        #expect(config.deletionTime(created: created, keySeconds: 0) == nil)
        #expect(config.deletionTime(created: created, keySeconds: 60)?.nanoseconds == 60_000_000_000)
        config.deleteVersionAfter = 30
        #expect(config.deletionTime(created: created, keySeconds: 60)?.nanoseconds == 30_000_000_000)
        #expect(config.deletionTime(created: created, keySeconds: 0)?.nanoseconds == 30_000_000_000)
        config.deleteVersionAfter = KVConfiguration.disabledDeleteVersionAfter
        #expect(config.deletionTime(created: created, keySeconds: 60) == nil)
    }

    @Test("per-key locks serialise one key and release cleanly")
    func keyLocks() async throws {
        let locks = KeyedAsyncLock()
        let counter = Counter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await locks.withLock("k") {
                        let before = await counter.value
                        await Task.yield()
                        await counter.set(before + 1)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(await counter.value == 50)
        // A thrown error still releases the key.
        await #expect(throws: LogicalError.notFound) { try await locks.withLock("k") { throw LogicalError.notFound } }
        try await locks.withLock("k") {}
    }
}

actor Counter {
    var value = 0
    func set(_ newValue: Int) { value = newValue }
}
