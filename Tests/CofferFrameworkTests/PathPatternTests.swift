import CofferFramework
import CofferStorage
import Testing

@Suite struct PathPatternTests {
    @Test func segmentCapturesOneNonEmptySegment() {
        let pattern = PathPattern("role/{name}")
        #expect(pattern.match("role/dev") == ["name": "dev"])
        #expect(pattern.match("role/") == nil)
        #expect(pattern.match("role/a/b") == nil)
        #expect(pattern.match("roles/dev") == nil)
    }

    @Test func restCapturesAnythingIncludingEmpty() {
        let pattern = PathPattern("data/{path*}")
        #expect(pattern.match("data/a/b/c") == ["path": "a/b/c"])
        #expect(pattern.match("data/") == ["path": ""])
        #expect(pattern.match("metadata/a") == nil)
    }

    @Test func restFollowedByLiteral() {
        let pattern = PathPattern("auth/{path*}/tune")
        #expect(pattern.match("auth/my/azure/tune") == ["path": "my/azure"])
        #expect(pattern.match("auth/azure") == nil)
    }

    @Test func optionalTrailingSlash() {
        let pattern = PathPattern("role/?")
        #expect(pattern.match("role") == [:])
        #expect(pattern.match("role/") == [:])
        #expect(pattern.match("role/x") == nil)
        #expect(PathPattern("role/{name}").openAPIPath == "/role/{name}")
    }
}

@Suite struct DurationParserTests {
    @Test func acceptsVaultSpellings() throws {
        #expect(try DurationParser.seconds("90") == 90)
        #expect(try DurationParser.seconds(.int(60)) == 60)
        #expect(try DurationParser.seconds("90s") == 90)
        #expect(try DurationParser.seconds("1h30m") == 5400)
        #expect(try DurationParser.seconds("768h") == 2_764_800)
        #expect(try DurationParser.seconds("2d") == 172_800)
        #expect(try DurationParser.seconds("-1s") == -1)
        #expect(try DurationParser.seconds("") == 0)
        #expect(try DurationParser.seconds("1500ms") == 1)
    }

    @Test func rejectsGarbage() {
        for bad in ["abc", "1x", "h", "1h-", "--1s"] {
            #expect(throws: DurationParser.InvalidDuration.self) { try DurationParser.seconds(bad) }
        }
    }

    @Test func printsGoDurations() {
        #expect(DurationParser.goString(0) == "0s")
        #expect(DurationParser.goString(90) == "1m30s")
        #expect(DurationParser.goString(10800) == "3h0m0s")
        #expect(DurationParser.shortGoString(2_764_800) == "768h")
        #expect(DurationParser.shortGoString(5400) == "1h30m")
    }
}

@Suite struct FieldDataTests {
    let schema: [String: FieldSchema] = [
        "policies": FieldSchema(.commaStringSlice), "ttl": FieldSchema(.duration), "flag": FieldSchema(.bool),
        "count": FieldSchema(.int), "meta": FieldSchema(.keyPairs), "versions": FieldSchema(.commaIntSlice),
        "renewable": FieldSchema(.bool, default: true), "name": FieldSchema(.lowerCaseString),
    ]

    @Test func coercesEveryAcceptedSpelling() throws {
        let fields = FieldData(
            raw: [
                "policies": "a, b,,c", "ttl": "1h", "flag": "True", "count": "12", "meta": ["k=v", "x=y=z"],
                "versions": "1,2, 3", "name": "Dev",
            ], schema: schema)
        #expect(try fields.stringSlice("policies") == ["a", "b", "c"])
        #expect(try fields.duration("ttl") == 3600)
        #expect(try fields.bool("flag"))
        #expect(try fields.int("count") == 12)
        #expect(try fields.keyPairs("meta") == ["k": "v", "x": "y=z"])
        #expect(try fields.intSlice("versions") == [1, 2, 3])
        #expect(try fields.bool("renewable"))
        #expect(try fields.string("name") == "dev")
    }

    @Test func nullIsAbsentAndWrongTypesAreClear400s() throws {
        let fields = FieldData(raw: ["ttl": .null, "count": "twelve", "flag": ["x"]], schema: schema)
        #expect(!fields.has("ttl"))
        #expect(try fields.duration("ttl") == 0)
        #expect(throws: LogicalError.self) { try fields.validate() }
        do {
            _ = try fields.int("count")
            Issue.record("expected a conversion error")
        } catch let error as LogicalError {
            #expect(error.status == 400)
            #expect(error.messages.first?.contains("for field \"count\"") == true)
        }
    }
}

@Suite struct FrameworkBackendTests {
    let backend = FrameworkBackend(
        kind: .secrets,
        paths: [
            PathDefinition(
                "role/{name}", fields: ["name": FieldSchema(.string), "ttl": FieldSchema(.duration)],
                operations: [
                    .update: PathOperation { _, fields in
                        LogicalResponse(data: ["ttl": .int(try fields.duration("ttl"))])
                    },
                    .read: PathOperation { _, _ in nil },
                ], existenceCheck: { _, fields in try fields.string("name") == "exists" })
        ])

    func request(_ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:]) -> LogicalRequest {
        LogicalRequest(operation: operation, path: path, data: data, storage: StorageStub())
    }

    @Test func unknownAndReplacedFieldsProduceVaultWarnings() async throws {
        let response = try #require(
            try await backend.handle(request(.update, "role/a", ["ttl": "1m", "zz": 1, "aa": 2, "name": "b"])))
        #expect(response.data?["ttl"] == .int(60))
        #expect(
            response.warnings == [
                "Endpoint ignored these unrecognized parameters: [aa zz]",
                "Endpoint replaced the value of these parameters with the values captured from the endpoint's path: [name]",
            ])
    }

    @Test func routingErrorsAndExistenceChecks() async throws {
        await #expect(throws: LogicalError.unsupportedPath) { try await backend.handle(request(.read, "nope")) }
        await #expect(throws: LogicalError.unsupportedOperation) {
            try await backend.handle(request(.delete, "role/a"))
        }
        #expect(try await backend.existenceCheck(request(.update, "role/exists")) == true)
        #expect(try await backend.existenceCheck(request(.update, "role/other")) == false)
        await #expect(throws: LogicalError.self) {
            try await backend.handle(request(.update, "role/a", ["ttl": "soon"]))
        }
    }

    @Test func helpAndOpenAPIDeriveFromThePathTable() {
        let help = backend.helpResponse(for: "role/x")
        #expect(help.data?["help"]?.stringValue?.contains("ttl (duration)") == true)
        let openapi = backend.openAPIDocument().objectValue?["paths"]?.objectValue
        #expect(openapi?["/role/{name}"]?.objectValue?["post"] != nil)
        #expect(openapi?["/role/{name}"]?.objectValue?["get"] != nil)
    }
}

@Suite struct JSONValueTests {
    @Test func parsesObjectsAndRejectsOtherTopLevels() throws {
        #expect(
            try JSONValue.parseObject(Array(#"{"a":1,"b":[true,null],"c":1.5}"#.utf8)) == [
                "a": 1, "b": [true, nil], "c": .double(1.5),
            ])
        #expect(try JSONValue.parseObject(Array("".utf8)) == nil)
        #expect(try JSONValue.parseObject(Array("null".utf8)) == nil)
        #expect(throws: LogicalError.badRequest("error parsing JSON")) { try JSONValue.parseObject(Array("[1]".utf8)) }
        #expect(throws: LogicalError.badRequest("error parsing JSON")) { try JSONValue.parseObject(Array("{bad".utf8)) }
    }

    @Test func serialisesSortedAndEscapedLikeGo() {
        let value: JSONValue = ["b": "<x>\n\"", "a": 1]
        #expect(String(decoding: value.serialized(), as: UTF8.self) == #"{"a":1,"b":"\u003cx\u003e\n\""}"#)
    }
}

/// Backends in these tests never touch storage.
struct StorageStub: Storage {
    func get(_ key: String) async throws -> [UInt8]? { nil }
    func put(_ key: String, value: [UInt8]) async throws {}
    func delete(_ key: String) async throws {}
    func list(prefix: String) async throws -> [String] { [] }
    func transaction(_ operations: [StorageOperation]) async throws {}
}

/// Root-protected paths are declared by the backend (exact, or a prefix ending in `*`), not listed in the core.
@Suite struct SudoPathTests {
    let backend = FrameworkBackend(kind: .secrets, paths: [], sudoPaths: ["auth/*", "rotate", "raw*"])

    @Test func exactAndPrefixPatterns() {
        #expect(backend.isSudoRequired(path: "auth/azure"))
        #expect(backend.isSudoRequired(path: "auth/azure/tune"))
        #expect(!backend.isSudoRequired(path: "auth"))
        #expect(backend.isSudoRequired(path: "rotate"))
        #expect(!backend.isSudoRequired(path: "rotate/x"))
        #expect(backend.isSudoRequired(path: "raw"))
        #expect(backend.isSudoRequired(path: "raw/logical/x"))
        #expect(!backend.isSudoRequired(path: "policy/x"))
    }

    @Test func backendsDeclareNoneByDefault() {
        #expect(!FrameworkBackend(kind: .secrets, paths: []).isSudoRequired(path: "anything"))
    }
}
