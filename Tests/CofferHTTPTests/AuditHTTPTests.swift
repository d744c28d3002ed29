import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Testing

/// Audit entries for requests that came over HTTP: the client's address and port, and the id the client saw.
@Suite struct AuditHTTPTests {
    @Test func entriesCarryTheClientAddressPortAndRequestID() async throws {
        let harness = try await CoreHarness.make()
        try await TemporaryDirectory.with { directory in
            let file = directory.appendingPathComponent("audit.log")
            let enabled = await harness.request(
                .update, "sys/audit/file", ["type": "file", "options": ["file_path": .string(file.path)]])
            try #require(enabled.status == 204)
            try await LoopbackVault.with(harness.core) { vault in
                let answer = try await vault.send("GET", "sys/mounts", token: harness.rootToken)
                #expect(answer.statusCode == 200)
                let requestID = try #require(answer.json?["request_id"]?.stringValue)
                let text = try String(contentsOf: file, encoding: .utf8)
                #expect(!text.contains(harness.rootToken))
                let entries = try text.split(separator: "\n").map {
                    try #require(try JSONParser.parse(Array($0.utf8)).objectValue)
                }
                let mounts = entries.filter { $0["request"]?["path"] == "sys/mounts" }
                #expect(mounts.map { $0["type"] } == ["request", "response"])
                for entry in mounts {
                    let request = try #require(entry["request"]?.objectValue)
                    #expect(request["id"] == .string(requestID))
                    #expect(request["remote_address"] == "127.0.0.1")
                    let port = try #require(request["remote_port"]?.intValue)
                    #expect(port > 0 && port <= 65535)
                    #expect((request["client_token"]?.stringValue ?? "").hasPrefix("hmac-sha256:"))
                }
            }
        }
    }
}
