import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Testing

/// `sys/internal/specs/openapi`: one document from the path tables of the mounts the caller may see.
@Suite(.serialized) struct OpenAPIDocumentTests {
    func document(_ harness: CoreHarness, token: String? = nil) async throws -> [String: JSONValue] {
        let response = await harness.request(.read, "sys/internal/specs/openapi", token: token)
        #expect(response.status == 200)
        guard case .raw(let bytes) = response.body else {
            Issue.record("not a raw document: \(response.text)")
            return [:]
        }
        return try #require(try JSONValue(parsing: Data(bytes)).objectValue)
    }

    @Test func everyMountedPathIsThereWithOperationsAndFieldTypes() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/secret", ["type": "kv-v2"]).status == 204)
        #expect(await harness.request(.update, "sys/auth/test", ["type": "test-auth"]).status == 204)
        let doc = try await document(harness)
        #expect(doc["openapi"] == "3.0.2")
        #expect(doc["info"]?["title"] == "HashiCorp Vault API")
        let paths = try #require(doc["paths"]?.objectValue)
        let data = try #require(paths["/secret/data/{path}"]?.objectValue)
        #expect(data["parameters"]?.arrayValue?.first?["name"] == "path")
        #expect(data["get"]?["responses"] != nil && data["post"]?["requestBody"] != nil)
        #expect(data["get"]?["tags"] == .strings(["secrets"]))
        let login = try #require(paths["/auth/test/login"]?.objectValue)
        #expect(login["x-vault-unauthenticated"] == true)
        let fields = login["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]?["properties"]
        #expect(fields?["ttl"]?["type"] == "integer")
        #expect(fields?["policies"]?["type"] == "array" && fields?["policies"]?["items"]?["type"] == "string")
        #expect(paths["/sys/remount"]?["x-vault-sudo"] == true)
        #expect(paths["/sys/leases/lookup/{prefix}"]?["get"]?["parameters"]?.arrayValue?.first?["name"] == "list")
        #expect(paths["/auth/token/create"]?["post"] != nil)
        // Operation ids are unique across the document.
        var ids: [String] = []
        for item in paths.values {
            for method in ["get", "post", "patch", "delete", "head"] {
                if let id = item[method]?["operationId"]?.stringValue { ids.append(id) }
            }
        }
        #expect(Set(ids).count == ids.count && !ids.isEmpty)
    }

    @Test func genericMountPathsAndContext() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/team-kv", ["type": "kv-v2"]).status == 204)
        #expect(await harness.request(.update, "sys/auth/test", ["type": "test-auth"]).status == 204)
        let response = await harness.request(
            .read, "sys/internal/specs/openapi", ["generic_mount_paths": "true", "context": "ctx"])
        guard case .raw(let bytes) = response.body else {
            Issue.record("not a raw document: \(response.text)")
            return
        }
        let paths = try #require(try JSONValue(parsing: Data(bytes))["paths"]?.objectValue)
        let data = try #require(paths["/{kv_v2_mount_path}/data/{path}"]?.objectValue)
        #expect(data["parameters"]?.arrayValue?.map { $0["name"] } == ["kv_v2_mount_path", "path"])
        #expect(data["get"]?["operationId"]?.stringValue?.hasSuffix("-ctx") == true)
        #expect(paths["/auth/{test_auth_mount_path}/login"] != nil)
        // Singleton mounts stay literal.
        #expect(paths["/sys/remount"] != nil && paths["/auth/token/create"] != nil)
        #expect(!paths.keys.contains { $0.hasPrefix("/team-kv/") })
    }

    @Test func withoutATokenOnlyUnauthListedMountsContribute() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/hidden", ["type": "kv-v2"]).status == 204)
        #expect(
            await harness.request(
                .update, "sys/mounts/shown", ["type": "kv-v2", "config": ["listing_visibility": "unauth"]]
            ).status == 204)
        let paths = try #require(try await document(harness, token: "").objectValue(at: "paths"))
        #expect(paths.keys.contains { $0.hasPrefix("/shown/") })
        #expect(!paths.keys.contains { $0.hasPrefix("/hidden/") || $0.hasPrefix("/sys/") })
        let policy = #"path "hidden/*" { capabilities = ["read"] }"#
        #expect(await harness.request(.update, "sys/policies/acl/h", ["policy": .string(policy)]).status == 204)
        let token = try #require(await harness.request(.update, "auth/token/create", ["policies": "h"]).clientToken)
        let scoped = try #require(try await document(harness, token: token).objectValue(at: "paths"))
        #expect(scoped.keys.contains { $0.hasPrefix("/hidden/") })
    }
}

extension Dictionary where Key == String, Value == JSONValue {
    fileprivate func objectValue(at key: String) -> [String: JSONValue]? { self[key]?.objectValue }
}
