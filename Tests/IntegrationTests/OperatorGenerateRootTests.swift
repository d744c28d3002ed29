import CofferClient
import CofferTesting
import Foundation
import Testing

/// `coffer operator generate-root` and `coffer operator rekey` end to end against a Shamir-sealed
/// `coffer server -config=…`: a quorum makes a root token the CLI decodes and that works, and a rekey replaces
/// the unseal keys (the old ones stop unsealing, the new ones unseal).
@Suite(.serialized) struct OperatorGenerateRootTests {
    /// Initialises with 5/3 and unseals; returns the base64 keys and the root token.
    private func initializeAndUnseal(_ server: OperatorTestServer) async throws -> (keys: [String], root: String) {
        let initialized = try await server.cli(["operator", "init", "-format=json"])
        #expect(initialized.status == 0, "\(initialized.stderr)")
        let json = try initialized.json()
        let keys = json["unseal_keys_b64"]?.stringArray ?? []
        for key in keys.prefix(3) { _ = try await server.cli(["operator", "unseal", key]) }
        return (keys, json["root_token"]?.stringValue ?? "")
    }

    /// The value of `key` in a two-column table.
    private func value(_ output: String, _ key: String) -> String? {
        for line in output.split(separator: "\n") where line.hasPrefix(key + "    ") {
            return line.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    @Test func aQuorumGeneratesARootTokenThatDecodesAndWorks() async throws {
        try await OperatorTestServer.with { server in
            let (keys, _) = try await initializeAndUnseal(server)
            let otp = try await server.cli(["operator", "generate-root", "-generate-otp"])
            #expect(otp.status == 0 && otp.stdout.count == 28, "\(otp.stderr)")

            let started = try await server.cli(["operator", "generate-root", "-init", "-otp=\(otp.stdout)"])
            #expect(started.status == 0, "\(started.stderr)")
            let nonce = value(started.stdout, "Nonce") ?? ""
            #expect(nonce.count == 36 && value(started.stdout, "Started") == "true")
            #expect(value(started.stdout, "Progress") == "0/3" && value(started.stdout, "OTP Length") == "28")
            #expect(value(started.stdout, "OTP") == nil, "the OTP was ours, so the server does not show one")

            let status = try await server.cli(["operator", "generate-root", "-status"])
            #expect(value(status.stdout, "Nonce") == nonce && value(status.stdout, "Complete") == "false")
            let noNonce = try await server.cli(["operator", "generate-root", keys[0]])
            #expect(noNonce.status == 1 && noNonce.stderr == "Missing nonce value: specify it via the -nonce flag\n")

            var last = started
            for key in keys.prefix(3) {
                last = try await server.cli(["operator", "generate-root", "-nonce=\(nonce)", key])
                #expect(last.status == 0, "\(last.stderr)")
            }
            #expect(value(last.stdout, "Complete") == "true" && value(last.stdout, "Progress") == "3/3")
            let encoded = value(last.stdout, "Encoded Token") ?? ""
            #expect(encoded.count == 38)

            let decoded = try await server.cli([
                "operator", "generate-root", "-decode=\(encoded)", "-otp=\(otp.stdout)",
            ])
            #expect(decoded.status == 0 && decoded.stdout.hasPrefix("hvs.") && decoded.stdout.count == 28)
            let lookup = try await server.cli(["token", "lookup", "-format=json"], token: decoded.stdout)
            #expect(lookup.status == 0, "\(lookup.stderr)")
            #expect(try lookup.json()["data"]?["policies"] == ["root"])
        }
    }

    @Test func aServerChosenOTPIsShownOnceAndCancelEndsTheAttempt() async throws {
        try await OperatorTestServer.with { server in
            _ = try await initializeAndUnseal(server)
            let started = try await server.cli(["operator", "generate-root", "-init"])
            #expect(started.status == 0, "\(started.stderr)")
            #expect((value(started.stdout, "OTP") ?? "").count == 28)
            #expect(started.stderr.contains("A One-Time-Password has been generated for you"))
            let twice = try await server.cli(["operator", "generate-root", "-init"])
            #expect(twice.status == 2 && twice.stderr.hasPrefix("Error initializing root generation: "))

            let canceled = try await server.cli(["operator", "generate-root", "-cancel"])
            #expect(canceled.stdout == "Success! Root token generation canceled (if it was started)\n")
            let status = try await server.cli(["operator", "generate-root", "-status", "-format=json"])
            #expect(try status.json()["started"] == false)
            let noAttempt = try await server.cli(["operator", "generate-root", "-nonce=x", "key"])
            #expect(noAttempt.status == 1 && noAttempt.stderr.hasPrefix("No root generation is in progress."))
            let badDecode = try await server.cli(["operator", "generate-root", "-decode=AAAA"])
            #expect(badDecode.status == 1 && badDecode.stderr == "Missing otp: use -otp to supply it\n")
        }
    }

    @Test func rekeyReplacesTheUnsealKeys() async throws {
        try await OperatorTestServer.with { server in
            let (keys, root) = try await initializeAndUnseal(server)
            let started = try await server.cli(["operator", "rekey", "-init", "-key-shares=3", "-key-threshold=2"])
            #expect(started.status == 0, "\(started.stderr)")
            #expect(started.stderr.contains("WARNING! If you lose the keys after they are returned"))
            let nonce = value(started.stdout, "Nonce") ?? ""
            #expect(value(started.stdout, "Rekey Progress") == "0/3" && value(started.stdout, "New Shares") == "3")
            #expect(value(started.stdout, "New Threshold") == "2")

            var last = started
            for key in keys.prefix(3) {
                last = try await server.cli(["operator", "rekey", "-nonce=\(nonce)", key])
                #expect(last.status == 0, "\(last.stderr)")
            }
            let newKeys = last.stdout.split(separator: "\n").filter { $0.hasPrefix("Key ") }.map {
                String($0.split(separator: " ").last ?? "")
            }
            #expect(newKeys.count == 3 && last.stdout.contains("\nOperation nonce: \(nonce)\n"))
            #expect(last.stdout.contains("Vault unseal keys rekeyed with 3 key shares and a key threshold of 2."))

            let backup = try await server.cli(["operator", "rekey", "-backup-retrieve"], token: root)
            #expect(backup.status == 2 && backup.stderr.contains("no backed-up keys found"))

            #expect(try await server.cli(["operator", "seal"], token: root).status == 0)
            _ = try await server.cli(["operator", "unseal", keys[0]])
            let old = try await server.cli(["operator", "unseal", keys[1]])
            #expect(old.status == 2, "the old shares no longer open the server: \(old.stdout)")
            for key in newKeys.prefix(2) { _ = try await server.cli(["operator", "unseal", key]) }
            #expect(try await server.cli(["status"]).status == 0)
        }
    }
}
