import CofferClient
import CofferTesting
import Foundation
import Testing

/// What ``VaultClient`` sends: methods, headers and bodies, checked on a recording server.
@Suite struct VaultClientWireTests {
    @Test func everyRequestCarriesTheVaultHeadersAndListUsesTheListVerb() async throws {
        let server = try RecordingHTTPServer(status: "200 OK", body: #"{"data":{"keys":["a"]}}"#)
        defer { server.stop() }
        let keys = try await withVaultClient(.init(address: server.address, token: "tok", namespace: "ns1")) { client in
            try await client.list("secret/metadata")?.data?["keys"]?.stringArray
        }
        #expect(keys == ["a"])
        let request = try #require(server.requests.first)
        #expect(request.hasPrefix("LIST /v1/secret/metadata HTTP/1.1\r\n"))
        let head = request.lowercased()
        #expect(head.contains("x-vault-request: true\r\n"))
        #expect(head.contains("x-vault-token: tok\r\n"))
        #expect(head.contains("x-vault-namespace: ns1\r\n"))
    }

    @Test func writeSendsJSONWithPutAndNoContentGivesNil() async throws {
        let server = try RecordingHTTPServer(status: "204 No Content", body: "")
        defer { server.stop() }
        let result = try await withVaultClient(.init(address: server.address, token: "tok")) { client in
            try await client.write("sys/policies/acl/app", data: ["policy": "x"])
        }
        #expect(result == nil)
        let request = try #require(server.requests.first)
        #expect(request.hasPrefix("PUT /v1/sys/policies/acl/app HTTP/1.1\r\n"))
        #expect(request.hasSuffix("\r\n\r\n{\"policy\":\"x\"}"))
    }

    @Test func patchUsesMergePatchAndOverridingTheTokenHeaderWorks() async throws {
        let server = try RecordingHTTPServer(status: "200 OK", body: #"{"data":{"version":2}}"#)
        defer { server.stop() }
        try await withVaultClient(.init(address: server.address, token: "tok")) { client in
            let patched = try await client.patch("secret/data/app", data: ["data": ["a": nil]])
            #expect(patched?.data?["version"]?.intValue == 2)
            _ = try await client.request("GET", "auth/token/lookup-self", headers: ["X-Vault-Token": "other"])
            _ = try await client.request("GET", "sys/health", headers: ["X-Vault-Token": ""])
        }
        let requests = server.requests
        try #require(requests.count == 3)
        #expect(requests[0].hasPrefix("PATCH /v1/secret/data/app HTTP/1.1\r\n"))
        #expect(requests[0].lowercased().contains("content-type: application/merge-patch+json\r\n"))
        #expect(requests[0].hasSuffix(#"{"data":{"a":null}}"#))
        #expect(requests[1].lowercased().contains("x-vault-token: other\r\n"))
        #expect(!requests[1].lowercased().contains("x-vault-token: tok"))
        #expect(!requests[2].lowercased().contains("x-vault-token"))
    }

    @Test func errorStatusesThrowVaultAPIErrorAndReadTurns404IntoNil() async throws {
        let denied = try RecordingHTTPServer(status: "403 Forbidden", body: #"{"errors":["permission denied"]}"#)
        defer { denied.stop() }
        let missing = try RecordingHTTPServer(status: "404 Not Found", body: #"{"errors":[]}"#)
        defer { missing.stop() }
        try await withVaultClient(.init(address: denied.address)) { client in
            let error = await #expect(throws: VaultAPIError.self) { try await client.read("secret/data/x") }
            #expect(error?.statusCode == 403)
            #expect(
                error?.description
                    == "Error making API request.\n\nURL: GET \(denied.address)/v1/secret/data/x\nCode: 403. Errors:\n\n* permission denied"
            )
        }
        let result = try await withVaultClient(.init(address: missing.address)) { client in
            try await client.read("secret/data/x")
        }
        #expect(result == nil)
    }

    @Test func connectionFailuresAreTransportErrors() async throws {
        let port = try DevServer.freePort()
        try await withVaultClient(.init(address: "http://127.0.0.1:\(port)", timeout: .seconds(30))) { client in
            await #expect(throws: VaultClientError.self) { try await client.read("sys/health") }
        }
    }
}
