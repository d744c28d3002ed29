import CofferClient
import CofferTesting
import Testing

/// The whole HTTP path over a real core: what a client on the wire gets back, byte for byte, for the answers every
/// client meets first — refusals, a write, a read and both spellings of a list.
@Suite struct VaultResponderLoopbackTests {
    /// A core with KV version 1 at `secret/` (its answers carry no timestamps, so bodies compare exactly).
    private func harness() async throws -> CoreHarness {
        let harness = try await CoreHarness.make()
        let mounted = await harness.request(.update, "sys/mounts/secret", ["type": "kv", "options": ["version": "1"]])
        try #require(mounted.status == 204)
        return harness
    }

    /// The exact envelope a read of `secret/` answers with; only `request_id` differs between requests.
    private func envelope(_ data: String, requestID: String) -> String {
        #"{"auth":null,"data":\#(data),"lease_duration":0,"lease_id":"","mount_type":"kv","renewable":false,"#
            + #""request_id":"\#(requestID)","warnings":null,"wrap_info":null}"#
    }

    private func requestID(_ response: VaultResponse) throws -> String {
        try #require(response.json?["request_id"]?.stringValue)
    }

    @Test func noTokenOnAnAuthenticatedPathIsAPlainPermissionDenied() async throws {
        let harness = try await harness()
        try await LoopbackVault.with(harness.core) { vault in
            let response = try await vault.send("GET", "secret/app", token: nil)
            #expect(response.statusCode == 403)
            #expect(response.text == #"{"errors":["permission denied"]}"#)
            #expect(response.headers["content-type"] == "application/json")
        }
    }

    @Test func anUnknownTokenIsVaultsTwoErrorMultierror() async throws {
        let harness = try await harness()
        try await LoopbackVault.with(harness.core) { vault in
            let response = try await vault.send("GET", "secret/app", token: "hvs.not-a-real-token")
            #expect(response.statusCode == 403)
            #expect(
                response.text == #"{"errors":["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"]}"#)
            #expect(response.headers["content-type"] == "application/json")
        }
    }

    @Test func aWriteThenAReadRoundTripsThroughTheEnvelope() async throws {
        let harness = try await harness()
        try await LoopbackVault.with(harness.core) { vault in
            let write = try await vault.send(
                "POST", "secret/app", token: harness.rootToken, body: #"{"password":"s3cr3t","n":1}"#)
            #expect(write.statusCode == 204)
            #expect(write.body.isEmpty)
            let read = try await vault.send("GET", "secret/app", token: harness.rootToken)
            #expect(read.statusCode == 200)
            #expect(read.headers["content-type"] == "application/json")
            #expect(read.text == envelope(#"{"n":1,"password":"s3cr3t"}"#, requestID: try requestID(read)))
            let missing = try await vault.send("GET", "secret/nothing-here", token: harness.rootToken)
            #expect(missing.statusCode == 404)
            #expect(missing.text == #"{"errors":[]}"#)
        }
    }

    @Test func theListMethodAndListQueryAnswerAlike() async throws {
        let harness = try await harness()
        try await LoopbackVault.with(harness.core) { vault in
            for path in ["secret/app", "secret/team/db"] {
                let write = try await vault.send("PUT", path, token: harness.rootToken, body: #"{"k":"v"}"#)
                try #require(write.statusCode == 204)
            }
            let keys = #"{"keys":["app","team/"]}"#
            let method = try await vault.send("LIST", "secret/", token: harness.rootToken)
            #expect(method.statusCode == 200)
            #expect(method.text == envelope(keys, requestID: try requestID(method)))
            let query = try await vault.send("GET", "secret/", token: harness.rootToken, query: ["list": "true"])
            #expect(query.statusCode == 200)
            #expect(query.text == envelope(keys, requestID: try requestID(query)))
            let unlisted = try await vault.send("GET", "secret/", token: harness.rootToken, query: ["list": "false"])
            #expect(unlisted.statusCode == 404)
        }
    }
}
