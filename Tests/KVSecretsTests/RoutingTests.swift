import CofferFramework
import Testing

@testable import KVSecrets

@Suite("KV v2 invalid paths, mount root and trailing slashes")
struct RoutingTests {
    static func invalidWarning(_ verb: String) -> String {
        "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv \(verb)' for this operation."
    }

    @Test(
        "paths without a KV v2 prefix answer 404 with a warning naming the CLI verb",
        arguments: [
            (LogicalOperation.read, "get"), (.update, "put"), (.create, "put"), (.patch, "patch"), (.list, "list"),
            (.delete, "delete"),
        ])
    func invalidPath(operation: LogicalOperation, verb: String) async throws {
        let kv = KVHarness()
        let response = try #require(try await kv.backend.handle(kv.request(operation, "creds", ["a": "b"])))
        #expect(response.statusCode == 404)
        #expect(response.data == nil)
        #expect(response.warnings.first == Self.invalidWarning(verb))
    }

    @Test(
        "non-listing operations on the mount root of each versioned prefix",
        arguments: ["data", "metadata", "delete", "undelete", "destroy"])
    func rootOfMount(path: String) async throws {
        let kv = KVHarness()
        let response = try #require(try await kv.send(.read, path))
        #expect(response.statusCode == 404)
        #expect(response.data == nil)
        #expect(response.warnings == ["Non-listing operations on the root of a K/V v2 mount are not supported."])
    }

    @Test("data/ paths ending in a slash are invalid for reads, lists and deletes")
    func dataFolder() async throws {
        let kv = KVHarness()
        for operation in [LogicalOperation.read, .list, .delete] {
            let response = try #require(try await kv.send(operation, "data/folder/"))
            #expect(response.statusCode == 404)
            #expect(response.warnings.count == 1)
        }
        #expect(try await kv.send(.list, "data/")?.warnings == [Self.invalidWarning("list")])
    }

    @Test("writes to a path ending in a slash are refused")
    func writeTrailingSlash() async throws {
        let kv = KVHarness()
        let refused = LogicalError.bad("cannot write to a path ending in '/'")
        #expect(await kv.error(.update, "data/folder/", ["data": ["a": 1]]) == refused)
        #expect(await kv.error(.patch, "data/folder/", ["data": ["a": 1]]) == refused)
        #expect(await kv.error(.update, "metadata/", ["max_versions": 1]) == refused)
        #expect(await kv.error(.update, "", ["a": 1]) == refused)
    }

    @Test("a pattern match without the operation is unsupported")
    func unsupportedOperation() async throws {
        let kv = KVHarness()
        #expect(await kv.error(.delete, "config") == .unsupportedOperation)
        #expect(await kv.error(.read, "delete/k") == .unsupportedOperation)
    }
}
