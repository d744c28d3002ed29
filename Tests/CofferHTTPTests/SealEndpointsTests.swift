import CofferClient
import CofferCore
import CofferFramework
import CofferHTTP
import CofferStorage
import CofferTesting
import Foundation
import Testing

/// `sys/init`, `sys/unseal`, `sys/seal-status`, `sys/seal` over loopback HTTP, and the raw body decoder.
@Suite struct SealEndpointsTests {
    static func shamirCore() -> Core {
        Core(barrier: Barrier(physical: MemoryPhysical()), configuration: CoreConfiguration())
    }

    static func errors(_ response: VaultResponse) -> [String] {
        response.json?["errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    @Test func initUnsealSealRoundTrip() async throws {
        try await LoopbackVault.with(Self.shamirCore()) { vault in
            let before = try await vault.send("GET", "sys/seal-status", token: nil)
            #expect(before.statusCode == 200)
            #expect(before.json?["type"] == "shamir" && before.json?["initialized"] == false)
            #expect(before.json?["t"] == 0 && before.json?["n"] == 0 && before.json?["sealed"] == true)
            #expect(try await vault.send("GET", "sys/init", token: nil).json?["initialized"] == false)

            let initialized = try await vault.send(
                "PUT", "sys/init", token: nil,
                body: #"{"secret_shares":5,"secret_threshold":3,"root_token_pgp_key":null}"#)
            #expect(initialized.statusCode == 200)
            let keys = initialized.json?["keys"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let base64 = initialized.json?["keys_base64"]?.arrayValue?.compactMap(\.stringValue) ?? []
            let root = try #require(initialized.json?["root_token"]?.stringValue)
            #expect(keys.count == 5 && keys.allSatisfy { $0.count == 66 })
            #expect(base64.count == 5 && base64.allSatisfy { $0.count == 44 })
            #expect(initialized.json?["recovery_keys"] == nil)
            #expect(try await vault.send("GET", "sys/init", token: nil).json?["initialized"] == true)

            let sealed = try await vault.send("GET", "sys/seal-status", token: nil)
            #expect(sealed.json?["t"] == 3 && sealed.json?["n"] == 5 && sealed.json?["sealed"] == true)
            #expect(sealed.json?["cluster_name"] == nil && sealed.json?["recovery_seal"] == false)
            #expect(sealed.json?["storage_type"] == "inmem" && sealed.json?["migration"] == false)
            let blocked = try await vault.send("GET", "sys/mounts", token: root)
            #expect(blocked.statusCode == 503 && Self.errors(blocked) == ["Vault is sealed"])

            let first = try await vault.send(
                "PUT", "sys/unseal", token: nil, body: #"{"migrate":false,"key":"\#(keys[1])"}"#)
            #expect(first.json?["progress"] == 1 && first.json?["sealed"] == true)
            #expect(first.json?["nonce"]?.stringValue?.isEmpty == false)
            // Member names match case-insensitively; base64 works.
            let second = try await vault.send("POST", "sys/unseal", token: nil, body: #"{"KEY":"\#(base64[3])"}"#)
            #expect(second.json?["progress"] == 2)
            let third = try await vault.send("PUT", "sys/unseal", token: nil, body: #"{"Key":"\#(keys[4])"}"#)
            #expect(third.statusCode == 200 && third.json?["sealed"] == false && third.json?["progress"] == 0)
            #expect(third.json?["cluster_id"]?.stringValue?.isEmpty == false)
            #expect(try await vault.send("GET", "sys/mounts", token: root).statusCode == 200)

            let sealResponse = try await vault.send("PUT", "sys/seal", token: root)
            #expect(sealResponse.statusCode == 204 && sealResponse.body.isEmpty)
            #expect(sealResponse.headers["content-type"] == "application/json")
            let after = try await vault.send("GET", "sys/mounts", token: root)
            #expect(after.statusCode == 503 && Self.errors(after) == ["Vault is sealed"])
            #expect(try await vault.send("PUT", "sys/seal", token: nil).statusCode == 204)
        }
    }

    @Test func rawBodyErrors() async throws {
        try await LoopbackVault.with(Self.shamirCore()) { vault in
            let empty = try await vault.send("PUT", "sys/init", token: nil, body: "")
            #expect(empty.statusCode == 400 && Self.errors(empty) == ["EOF"])
            let malformed = try await vault.send("PUT", "sys/init", token: nil, body: "{\"secret_shares\":")
            #expect(malformed.statusCode == 400)
            #expect(Self.errors(malformed).first?.hasPrefix("failed to parse JSON input: ") == true)
            let huge = try await vault.send(
                "PUT", "sys/init", token: nil, body: #"{"secret_shares":99999999999999999999,"secret_threshold":1}"#)
            #expect(huge.statusCode == 400 && Self.errors(huge).first?.contains("secret_shares") == true)
            let wrongType = try await vault.send("PUT", "sys/unseal", token: nil, body: #"{"key":5}"#)
            #expect(wrongType.statusCode == 400 && Self.errors(wrongType).first?.contains("key") == true)
            let emptyUnseal = try await vault.send("PUT", "sys/unseal", token: nil, body: "")
            #expect(emptyUnseal.statusCode == 400 && Self.errors(emptyUnseal) == ["EOF"])
            let nullIsZero = try await vault.send(
                "PUT", "sys/init", token: nil, body: #"{"secret_shares":null,"secret_threshold":null}"#)
            #expect(Self.errors(nullIsZero) == ["invalid seal configuration: shares must be at least one"])
            let wrongKind = try await vault.send(
                "PUT", "sys/init", token: nil, body: #"{"secret_shares":1,"secret_threshold":1,"recovery_shares":2}"#)
            #expect(Self.errors(wrongKind) == ["parameters recovery_shares not applicable to seal type shamir"])
            let notInitialized = try await vault.send(
                "PUT", "sys/unseal", token: nil, body: #"{"key":"\#(String(repeating: "ab", count: 33))"}"#)
            #expect(Self.errors(notInitialized) == ["Vault is not initialized"])
        }
    }

    @Test func methodsOutsideTheTableAre405() async throws {
        try await LoopbackVault.with(Self.shamirCore()) { vault in
            for (method, path) in [
                ("PUT", "sys/seal-status"), ("DELETE", "sys/init"), ("GET", "sys/unseal"), ("GET", "sys/seal"),
            ] {
                let response = try await vault.send(method, path, token: nil, body: method == "PUT" ? "{}" : nil)
                #expect(response.statusCode == 405, "\(method) \(path)")
            }
        }
    }

    @Test func unsealErrorsOverHTTP() async throws {
        let core = Self.shamirCore()
        let result = try await core.initializeSeal(SealInitRequest(secretShares: 3, secretThreshold: 2))
        try await LoopbackVault.with(core) { vault in
            let missing = try await vault.send("PUT", "sys/unseal", token: nil, body: #"{"reset":false}"#)
            #expect(Self.errors(missing) == ["'key' must be specified in request body as JSON, or 'reset' set to true"])
            let bad = try await vault.send("PUT", "sys/unseal", token: nil, body: #"{"key":"!!"}"#)
            #expect(Self.errors(bad) == ["'key' must be a valid hex or base64 string"])
            let short = try await vault.send("PUT", "sys/unseal", token: nil, body: #"{"key":"abcd"}"#)
            #expect(Self.errors(short) == ["invalid key: key is shorter than minimum 16 bytes"])
            let hex = result.keys.map { $0.map { String(format: "%02x", $0) }.joined() }
            _ = try await vault.send("PUT", "sys/unseal", token: nil, body: #"{"key":"\#(hex[0])"}"#)
            let reset = try await vault.send("PUT", "sys/unseal", token: nil, body: #"{"migrate":false,"reset":true}"#)
            #expect(reset.statusCode == 200 && reset.json?["progress"] == 0 && reset.json?["nonce"] == "")
            var forged = result.keys[1]
            forged[0] ^= 0xFF
            let forgedHex = forged.map { String(format: "%02x", $0) }.joined()
            _ = try await vault.send("PUT", "sys/unseal", token: nil, body: #"{"key":"\#(hex[0])"}"#)
            let wrong = try await vault.send("PUT", "sys/unseal", token: nil, body: #"{"key":"\#(forgedHex)"}"#)
            #expect(wrong.statusCode == 400)
            #expect(
                Self.errors(wrong) == [
                    "unable to retrieve stored keys: invalid key: failed to decrypt keys from storage: "
                        + "cipher: message authentication failed"
                ])
            #expect(try await vault.send("GET", "sys/seal-status", token: nil).json?["progress"] == 0)
        }
    }

    @Test func sysSealNeedsSudo() async throws {
        let harness = try await CoreHarness.make()
        _ = await harness.request(
            .update, "sys/policies/acl/half", ["policy": #"path "sys/seal" { capabilities = ["update"] }"#])
        let token = try #require(await harness.request(.update, "auth/token/create", ["policies": "half"]).clientToken)
        try await LoopbackVault.with(harness.core) { vault in
            let denied = try await vault.send("PUT", "sys/seal", token: token)
            #expect(denied.statusCode == 403 && denied.text.contains("permission denied"))
            let anonymous = try await vault.send("PUT", "sys/seal", token: nil)
            #expect(anonymous.statusCode == 403 && anonymous.text.contains("permission denied"))
            #expect(!harness.core.isSealed)
            // Not in an HA cluster: Vault's step-down returns before any check (204), whoever asks.
            for who in [token, harness.rootToken, nil] {
                let stepDown = try await vault.send("PUT", "sys/step-down", token: who)
                #expect(stepDown.statusCode == 204 && stepDown.body.isEmpty)
            }
            #expect(try await vault.send("GET", "sys/step-down", token: harness.rootToken).statusCode == 405)
            #expect(!harness.core.isSealed)
            #expect(try await vault.send("POST", "sys/seal", token: harness.rootToken).statusCode == 204)
            #expect(harness.core.isSealed)
            let read = try await vault.send("GET", "secret/anything", token: harness.rootToken)
            #expect(read.statusCode == 503 && Self.errors(read) == ["Vault is sealed"])
        }
    }

    @Test func staticSealInitReturnsRecoveryKeysOnly() async throws {
        var configuration = CoreConfiguration()
        configuration.staticSealKey = .init(size: .bits256)
        let core = Core(barrier: Barrier(physical: MemoryPhysical()), configuration: configuration)
        try await LoopbackVault.with(core) { vault in
            let status = try await vault.send("GET", "sys/seal-status", token: nil)
            #expect(status.json?["type"] == "static" && status.json?["recovery_seal"] == true)
            let wrong = try await vault.send(
                "PUT", "sys/init", token: nil, body: #"{"secret_shares":5,"secret_threshold":3}"#)
            #expect(
                Self.errors(wrong) == ["parameters secret_shares,secret_threshold not applicable to seal type static"])
            let response = try await vault.send(
                "PUT", "sys/init", token: nil, body: #"{"recovery_shares":3,"recovery_threshold":2}"#)
            #expect(response.statusCode == 200)
            #expect(response.json?["recovery_keys"]?.arrayValue?.count == 3)
            #expect(response.json?["recovery_keys_base64"]?.arrayValue?.count == 3)
            #expect(response.json?["keys"]?.arrayValue?.isEmpty == true)
            let after = try await vault.send("GET", "sys/seal-status", token: nil)
            #expect(after.json?["sealed"] == false && after.json?["t"] == 2 && after.json?["n"] == 3)
        }
    }

    @Test func rawRequestBodyDecoding() throws {
        let body = try RawRequestBody.parse(Array(#"{"Secret_Shares":3,"pgp_keys":["a",null],"reset":null}"#.utf8))
        #expect(try body.int("secret_shares") == 3)
        #expect(try body.strings("pgp_keys") == ["a", ""])
        #expect(try body.bool("reset") == false)
        #expect(try body.string("absent") == "")
        #expect(throws: LogicalError.self) { try body.string("secret_shares") }
        #expect(throws: LogicalError.badRequest("EOF")) { try RawRequestBody.parse(Array(" \n".utf8)) }
        #expect(try RawRequestBody.parse([], allowEmpty: true).has("x") == false)
        #expect(throws: LogicalError.self) { try RawRequestBody.parse(Array("[1]".utf8)) }
        let fractional = try RawRequestBody.parse(Array(#"{"n":2.5}"#.utf8))
        #expect(throws: LogicalError.self) { try fractional.int("n") }
    }
}
