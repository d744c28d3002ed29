import CofferClient
import CofferTesting
import Foundation
import Testing

/// `X-Vault-Wrap-TTL` on the wire (docs/response-wrapping.md): its spellings, its 400s, and a wrapped answer's exact
/// envelope.
@Suite struct WrappingHTTPTests {
    private func harness() async throws -> CoreHarness {
        let harness = try await CoreHarness.make()
        let mounted = await harness.request(.update, "sys/mounts/secret", ["type": "kv", "options": ["version": "1"]])
        try #require(mounted.status == 204)
        try #require(await harness.request(.update, "secret/app", ["password": "s3cr3t"]).status == 204)
        return harness
    }

    private func read(_ vault: LoopbackVault, token: String, wrapTTL: String) async throws -> VaultResponse {
        try await vault.client.send(
            "GET", "secret/app", headers: ["X-Vault-Token": token, "X-Vault-Wrap-TTL": wrapTTL])
    }

    @Test func theCLIsGoDurationsAndBareSecondsWrap() async throws {
        let harness = try await harness()
        try await LoopbackVault.with(harness.core) { vault in
            for (header, seconds) in [("1m0s", 60), ("300", 300), ("1h0m0s", 3600)] {
                let response = try await read(vault, token: harness.rootToken, wrapTTL: header)
                #expect(response.statusCode == 200)
                let info = try #require(response.json?["wrap_info"]?.objectValue)
                #expect(info["ttl"] == .int(Int64(seconds)) && info["creation_path"] == "secret/app")
                #expect(response.json?["data"] == .null && response.json?["request_id"] == "")
                #expect(!response.text.contains("s3cr3t"))
                let token = try #require(info["token"]?.stringValue)
                let unwrapped = try await vault.send("PUT", "sys/wrapping/unwrap", token: token)
                #expect(unwrapped.json?["data"]?.objectValue?["password"] == "s3cr3t")
            }
            let zero = try await read(vault, token: harness.rootToken, wrapTTL: "0")
            #expect(zero.json?["data"]?.objectValue?["password"] == "s3cr3t" && zero.json?["wrap_info"] == .null)
        }
    }

    @Test func badHeadersAre400s() async throws {
        let harness = try await harness()
        try await LoopbackVault.with(harness.core) { vault in
            let negative = try await read(vault, token: harness.rootToken, wrapTTL: "-1")
            #expect(negative.statusCode == 400)
            #expect(
                negative.text
                    == #"{"errors":["error parsing X-Vault-Wrap-TTL header: requested wrap ttl cannot be negative"]}"#)
            let garbage = try await read(vault, token: harness.rootToken, wrapTTL: "soon")
            #expect(garbage.statusCode == 400 && garbage.text.contains("error parsing X-Vault-Wrap-TTL header: "))
        }
    }

    @Test func aSpentWrappingTokenAsTheClientTokenIsA400() async throws {
        let harness = try await harness()
        try await LoopbackVault.with(harness.core) { vault in
            let wrapped = try await read(vault, token: harness.rootToken, wrapTTL: "60")
            let token = try #require(wrapped.json?["wrap_info"]?.objectValue?["token"]?.stringValue)
            #expect(try await vault.send("PUT", "sys/wrapping/unwrap", token: token, body: "{}").statusCode == 200)
            let again = try await vault.send("PUT", "sys/wrapping/unwrap", token: token, body: "{}")
            #expect(again.statusCode == 400)
            #expect(again.text == #"{"errors":["wrapping token is not valid or does not exist"]}"#)
        }
    }
}
