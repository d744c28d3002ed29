import CofferClient
import Foundation
import Testing

/// Client pieces that need no server: JSON round trips, URL building, error rendering, token file.
@Suite struct VaultClientUnitTests {
    @Test func jsonParsesAndFormatsLikeGo() throws {
        let parsed = try JSONValue(parsing: Data(#"{"b":[1,2.5,true,null],"a":"<x>","c":{}}"#.utf8))
        #expect(parsed["b"]?.arrayValue == [.int(1), .double(2.5), .bool(true), .null])
        #expect(
            parsed.formatted()
                == "{\n  \"a\": \"\\u003cx\\u003e\",\n  \"b\": [\n    1,\n    2.5,\n    true,\n    null\n  ],\n  \"c\": {}\n}"
        )
        #expect(
            String(decoding: parsed.serialized(), as: UTF8.self)
                == #"{"a":"\u003cx\u003e","b":[1,2.5,true,null],"c":{}}"#)
        #expect(JSONValue.object(["z": 1, "a": 2]).formatted(keyOrder: ["z"]) == "{\n  \"z\": 1,\n  \"a\": 2\n}")
    }

    @Test func rejectsNonJSON() {
        #expect(throws: VaultClientError.self) { try JSONValue(parsing: Data("nope".utf8)) }
    }

    @Test func buildsURLsAndRejectsBadAddresses() async throws {
        let client = try VaultClient(configuration: .init(address: "http://127.0.0.1:8200/", token: "t"))
        #expect(client.url(for: "/secret/data/a b") == "http://127.0.0.1:8200/v1/secret/data/a%20b")
        #expect(
            client.url(for: "x", query: ["version": "2", "a": "&"]) == "http://127.0.0.1:8200/v1/x?a=%26&version=2")
        #expect(client.token == "t")
        client.setToken("u")
        #expect(client.token == "u")
        try await client.shutdown()
        #expect(throws: VaultClientError.self) { try VaultClient(configuration: .init(address: "ftp://x")) }
    }

    @Test func environmentPrefersVaultTokenThenHelperFile() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: home) }
        try TokenHelper(environment: ["HOME": home]).store("from-file")
        let fromFile = try VaultClient.Configuration.fromEnvironment(["HOME": home])
        #expect(fromFile.token == "from-file")
        #expect(fromFile.address == "https://127.0.0.1:8200")
        let fromEnv = try VaultClient.Configuration.fromEnvironment(
            ["HOME": home, "VAULT_TOKEN": "env", "VAULT_ADDR": "http://h:1"])
        #expect(fromEnv.token == "env")
        #expect(fromEnv.address == "http://h:1")
    }

    @Test func tokenHelperStoresWithOwnerOnlyMode() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString).path
        _ = FileManager.default.createFile(
            atPath: path, contents: Data("old".utf8), attributes: [.posixPermissions: 0o644])
        let helper = TokenHelper(path: path)
        try helper.store("hvs.new")
        #expect(try helper.get() == "hvs.new")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        try helper.erase()
        #expect(try helper.get() == nil)
        try helper.erase()
    }

    @Test func apiErrorRendersLikeVault() {
        let response = VaultResponse(
            statusCode: 403, headers: [:], body: Data(#"{"errors":["permission denied"]}"#.utf8))
        let error = VaultAPIError(method: "GET", url: "http://h/v1/x", response: response)
        #expect(error.errors == ["permission denied"])
        #expect(
            error.description
                == "Error making API request.\n\nURL: GET http://h/v1/x\nCode: 403. Errors:\n\n* permission denied")
        let raw = VaultAPIError(
            method: "GET", url: "u", response: VaultResponse(statusCode: 500, headers: [:], body: Data("boom".utf8)))
        #expect(raw.description.hasSuffix("Code: 500. Raw Message:\n\n* boom"))
    }

    @Test func notFoundWithEnvelopeStillCarriesASecret() {
        let deleted = VaultResponse(
            statusCode: 404, headers: [:],
            body: Data(#"{"data":{"data":null,"metadata":{"version":1}},"warnings":null}"#.utf8))
        #expect(deleted.carriesSecret)
        #expect(!VaultResponse(statusCode: 404, headers: [:], body: Data(#"{"errors":[]}"#.utf8)).carriesSecret)
    }
}
