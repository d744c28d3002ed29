import CofferClient
import CofferCore
import CofferTesting
import Foundation
import Testing

/// `sys/generate-root/*` and `sys/rekey*` on the wire (docs/seal.md): raw bodies, exact status objects,
/// methods, and the logical backup path's 400.
@Suite struct KeyShareEndpointTests {
    static let otp = "Z9bY3kQw8LmN2pR5sT7vX1cE4gH6"

    private func keys(_ json: [String: JSONValue]?) -> [String] {
        (json ?? [:]).keys.sorted()
    }

    @Test func generateRootOverHTTPMintsARootToken() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 5, threshold: 3)
        try await LoopbackVault.with(fixture.core) { vault in
            let idle = try await vault.send("GET", "sys/generate-root/attempt", token: nil)
            #expect(idle.statusCode == 200)
            #expect(
                idle.text
                    == #"{"complete":false,"encoded_root_token":"","encoded_token":"","nonce":"","otp":"","otp_length":28,"#
                    + #""pgp_fingerprint":"","progress":0,"required":3,"started":false}"#)
            let start = try await vault.send(
                "PUT", "sys/generate-root/attempt", token: nil, body: #"{"OTP":"\#(Self.otp)"}"#)
            #expect(start.statusCode == 200)
            let nonce = try #require(start.json?["nonce"]?.stringValue)
            #expect(start.json?["started"] == true && start.json?["otp"] == "")
            var last: VaultResponse?
            for share in fixture.hexShares.prefix(3) {
                last = try await vault.send(
                    "PUT", "sys/generate-root/update", token: nil, body: #"{"key":"\#(share)","nonce":"\#(nonce)"}"#)
                #expect(last?.statusCode == 200)
            }
            let done = try #require(last?.json)
            #expect(done["complete"] == true && done["progress"] == 3)
            let encoded = try #require(done["encoded_token"]?.stringValue)
            #expect(done["encoded_root_token"]?.stringValue == encoded)
            let token = try RootTokenOTP.decode(encoded, otp: Self.otp)
            let lookup = try await vault.send("GET", "auth/token/lookup-self", token: token)
            #expect(lookup.statusCode == 200)
            #expect(lookup.json?["data"]?["policies"] == ["root"])
            let after = try await vault.send("GET", "sys/generate-root/attempt", token: nil)
            #expect(after.json?["started"] == false)
        }
    }

    @Test func generateRootBodiesAndMethods() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 3, threshold: 2)
        try await LoopbackVault.with(fixture.core) { vault in
            // An empty body starts an attempt with a server-made OTP.
            let start = try await vault.send("PUT", "sys/generate-root/attempt", token: nil)
            #expect(start.statusCode == 200)
            #expect(start.json?["otp"]?.stringValue?.utf8.count == 28)
            let again = try await vault.send("POST", "sys/generate-root/attempt", token: nil, body: "{}")
            #expect(again.statusCode == 400)
            #expect(again.text == #"{"errors":["root generation already in progress"]}"#)
            let empty = try await vault.send("PUT", "sys/generate-root/update", token: nil)
            #expect(empty.statusCode == 400 && empty.text == #"{"errors":["EOF"]}"#)
            let malformed = try await vault.send("PUT", "sys/generate-root/update", token: nil, body: "{")
            #expect(malformed.statusCode == 400)
            #expect(
                malformed.json?["errors"]?.arrayValue?.first?.stringValue?.hasPrefix("failed to parse JSON input: ")
                    == true)
            let noKey = try await vault.send("PUT", "sys/generate-root/update", token: nil, body: #"{"nonce":"x"}"#)
            #expect(noKey.text == #"{"errors":["'key' must be specified in request body as JSON"]}"#)
            for (method, path) in [
                ("PATCH", "sys/generate-root/attempt"), ("LIST", "sys/generate-root/attempt"),
                ("GET", "sys/generate-root/update"), ("LIST", "sys/rekey/init"),
                ("DELETE", "sys/generate-root/update"),
            ] {
                let refused = try await vault.send(method, path, token: nil)
                #expect(refused.statusCode == 405)
                #expect(refused.text == #"{"errors":[]}"#)
            }
            let cancel = try await vault.send("DELETE", "sys/generate-root/attempt", token: nil)
            #expect(cancel.statusCode == 204 && cancel.body.isEmpty)
            #expect(cancel.headers["content-type"] == "application/json")
            let pgp = try await vault.send("PUT", "sys/generate-root/attempt", token: nil, body: #"{"pgp_key":"abc"}"#)
            #expect(pgp.statusCode == 400)
            let shortOTP = try await vault.send("PUT", "sys/generate-root/attempt", token: nil, body: #"{"otp":"abc"}"#)
            #expect(shortOTP.text == #"{"errors":["OTP string is wrong length"]}"#)
        }
    }

    @Test func rekeyOverHTTPReplacesTheShares() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 5, threshold: 3)
        try await LoopbackVault.with(fixture.core) { vault in
            let idle = try await vault.send("GET", "sys/rekey/init", token: nil)
            #expect(
                idle.text
                    == #"{"backup":false,"n":0,"nonce":"","pgp_fingerprints":null,"progress":0,"required":3,"#
                    + #""started":false,"t":0,"verification_required":false}"#)
            let start = try await vault.send(
                "PUT", "sys/rekey/init", token: nil,
                body: #"{"secret_shares":3,"secret_threshold":2,"require_verification":false}"#)
            #expect(start.statusCode == 200)
            #expect(start.json?["t"] == 2 && start.json?["n"] == 3 && start.json?["started"] == true)
            let nonce = try #require(start.json?["nonce"]?.stringValue)
            let first = try await vault.send(
                "PUT", "sys/rekey/update", token: nil, body: #"{"key":"\#(fixture.hexShares[0])","nonce":"\#(nonce)"}"#)
            #expect(first.json?["progress"] == 1 && first.json?["required"] == 3)
            var last: VaultResponse?
            for share in fixture.base64Shares[1...2] {
                last = try await vault.send(
                    "POST", "sys/rekey/update", token: nil, body: #"{"key":"\#(share)","Nonce":"\#(nonce)"}"#)
            }
            let done = try #require(last?.json?.objectValue)
            #expect(
                keys(done) == [
                    "backup", "complete", "keys", "keys_base64", "nonce", "pgp_fingerprints", "verification_required",
                ])
            #expect(done["complete"] == true && done["pgp_fingerprints"] == .null)
            let newKeys = try #require(done["keys"]?.stringArray)
            #expect(newKeys.count == 3 && newKeys.allSatisfy { $0.utf8.count == 66 })
            let base64 = try #require(done["keys_base64"]?.stringArray)
            #expect(base64.allSatisfy { $0.utf8.count == 44 })

            #expect(try await vault.send("PUT", "sys/seal", token: fixture.rootToken).statusCode == 204)
            for share in newKeys.prefix(2) {
                _ = try await vault.send("PUT", "sys/unseal", token: nil, body: #"{"key":"\#(share)"}"#)
            }
            let status = try await vault.send("GET", "sys/seal-status", token: nil)
            #expect(status.json?["sealed"] == false && status.json?["t"] == 2 && status.json?["n"] == 3)
        }
    }

    @Test func rekeyVerificationAndRefusalsOnTheWire() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 1, threshold: 1)
        try await LoopbackVault.with(fixture.core) { vault in
            let noConfig = try await vault.send("GET", "sys/rekey/verify", token: nil)
            #expect(noConfig.statusCode == 400 && noConfig.text == #"{"errors":["no rekey configuration found"]}"#)
            let backup = try await vault.send(
                "PUT", "sys/rekey/init", token: nil, body: #"{"secret_shares":1,"secret_threshold":1,"backup":true}"#)
            #expect(
                backup.text
                    == #"{"errors":["cannot request a backup of the new keys without providing PGP keys for encryption"]}"#
            )
            let invalid = try await vault.send(
                "PUT", "sys/rekey/init", token: nil, body: #"{"secret_shares":0,"secret_threshold":0}"#)
            #expect(invalid.statusCode == 500)
            #expect(invalid.text == #"{"errors":["invalid rekey seal configuration: shares must be at least one"]}"#)
            let huge = try await vault.send(
                "PUT", "sys/rekey/init", token: nil, body: #"{"secret_shares":1e30,"secret_threshold":2}"#)
            #expect(huge.statusCode == 400)
            let empty = try await vault.send("PUT", "sys/rekey/init", token: nil)
            #expect(empty.text == #"{"errors":["EOF"]}"#)
            let start = try await vault.send(
                "PUT", "sys/rekey/init", token: nil,
                body: #"{"secret_shares":2,"secret_threshold":2,"require_verification":true}"#)
            let nonce = try #require(start.json?["nonce"]?.stringValue)
            #expect(start.json?["verification_required"] == true)
            let done = try await vault.send(
                "PUT", "sys/rekey/update", token: nil,
                body: #"{"key":"\#(fixture.base64Shares[0])","nonce":"\#(nonce)"}"#)
            let vnonce = try #require(done.json?["verification_nonce"]?.stringValue)
            #expect(done.json?["verification_required"] == true)
            let newKeys = try #require(done.json?["keys"]?.stringArray)
            let verifyStatus = try await vault.send("GET", "sys/rekey/verify", token: nil)
            #expect(
                verifyStatus.text == #"{"n":2,"nonce":"\#(vnonce)","progress":0,"started":true,"t":2}"#)
            let restarted = try await vault.send("DELETE", "sys/rekey/verify", token: nil)
            #expect(restarted.statusCode == 200)
            let newNonce = try #require(restarted.json?["nonce"]?.stringValue)
            #expect(newNonce != vnonce)
            _ = try await vault.send(
                "PUT", "sys/rekey/verify", token: nil, body: #"{"key":"\#(newKeys[0])","nonce":"\#(newNonce)"}"#)
            let verified = try await vault.send(
                "PUT", "sys/rekey/verify", token: nil, body: #"{"key":"\#(newKeys[1])","nonce":"\#(newNonce)"}"#)
            #expect(verified.text == #"{"complete":true,"nonce":"\#(newNonce)"}"#)
            let recovery = try await vault.send("GET", "sys/rekey-recovery-key/init", token: nil)
            #expect(recovery.statusCode == 400 && recovery.text == #"{"errors":["recovery rekeying not supported"]}"#)
            let recoveryPatch = try await vault.send("PATCH", "sys/rekey-recovery-key/update", token: nil)
            #expect(recoveryPatch.statusCode == 400)
            let wrongMethod = try await vault.send("GET", "sys/rekey/update", token: nil)
            #expect(wrongMethod.statusCode == 405 && wrongMethod.text == #"{"errors":[]}"#)
            let cancel = try await vault.send("DELETE", "sys/rekey/init", token: nil)
            #expect(cancel.statusCode == 204)
        }
    }

    @Test func backupReadIsVaults400() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 1, threshold: 1)
        try await LoopbackVault.with(fixture.core) { vault in
            let read = try await vault.send("GET", "sys/rekey/backup", token: fixture.rootToken)
            #expect(read.statusCode == 400 && read.text == #"{"errors":["no backed-up keys found"]}"#)
            let delete = try await vault.send("DELETE", "sys/rekey/recovery-key-backup", token: fixture.rootToken)
            #expect(delete.statusCode == 204)
            let anonymous = try await vault.send("GET", "sys/rekey/backup", token: nil)
            #expect(anonymous.statusCode == 403)
        }
    }

    /// Root generation is audited like Vault's: request and response entries, every secret HMACed.
    @Test func generateRootIsAuditedWithSecretsHashed() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 2, threshold: 2)
        try await TemporaryDirectory.with { directory in
            let file = directory.appendingPathComponent("audit.log").path
            let enabled = await fixture.request(
                .update, "sys/audit/file", ["type": "file", "options": ["file_path": .string(file)]])
            try #require(enabled.status == 204)
            try await LoopbackVault.with(fixture.core) { vault in
                let start = try await vault.send(
                    "PUT", "sys/generate-root/attempt", token: nil, body: #"{"otp":"\#(Self.otp)"}"#)
                let nonce = try #require(start.json?["nonce"]?.stringValue)
                var encoded = ""
                for share in fixture.hexShares {
                    let answer = try await vault.send(
                        "PUT", "sys/generate-root/update", token: nil,
                        body: #"{"key":"\#(share)","nonce":"\#(nonce)"}"#)
                    encoded = answer.json?["encoded_token"]?.stringValue ?? ""
                }
                #expect(encoded.utf8.count == 38)
                let log = try String(contentsOfFile: file, encoding: .utf8)
                let entries = log.split(separator: "\n").compactMap { try? JSONValue(parsing: Data($0.utf8)) }
                let updates = entries.filter { $0["request"]?["path"] == "sys/generate-root/update" }
                #expect(updates.count == 4)  // a request and a response entry per share
                let final = try #require(updates.last)
                #expect(final["type"] == "response")
                #expect(final["response"]?["data"]?["encoded_token"]?.stringValue?.hasPrefix("hmac-sha256:") == true)
                #expect(final["request"]?["data"]?["key"]?.stringValue?.hasPrefix("hmac-sha256:") == true)
                for secret in fixture.hexShares + [Self.otp, encoded] { #expect(!log.contains(secret)) }
            }
        }
    }

    @Test func sealedServersAnswer503() async throws {
        let fixture = try await KeyShareFixture.shamir(shares: 1, threshold: 1)
        try await fixture.core.seal(token: fixture.rootToken, remoteAddress: nil)
        try await LoopbackVault.with(fixture.core) { vault in
            for (method, path) in [
                ("GET", "sys/generate-root/attempt"), ("PUT", "sys/generate-root/attempt"), ("GET", "sys/rekey/init"),
                ("DELETE", "sys/rekey/init"),
            ] {
                let answer = try await vault.send(method, path, token: nil, body: method == "PUT" ? "{}" : nil)
                #expect(answer.statusCode == 503)
                #expect(answer.text == #"{"errors":["Vault is sealed"]}"#)
            }
        }
    }
}
