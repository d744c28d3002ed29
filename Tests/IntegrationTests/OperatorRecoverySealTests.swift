import CofferClient
import CofferTesting
import Foundation
import Testing

/// `coffer operator init` against an auto-unsealing (static) seal: recovery keys instead of unseal keys.
@Suite(.serialized) struct OperatorRecoverySealTests {
    @Test func initAsksForRecoveryKeysWhenTheSealUsesThem() async throws {
        try await OperatorTestServer.with(staticSeal: true) { server in
            let refused = try await server.cli(["operator", "init", "-key-shares=3"])
            #expect(refused.status == 2, "\(refused.stdout)")
            #expect(refused.stderr.contains("* parameters secret_shares not applicable to seal type static"))

            let initialized = try await server.cli(["operator", "init", "-recovery-shares=2", "-recovery-threshold=2"])
            #expect(initialized.status == 0, "\(initialized.stderr)")
            let lines = initialized.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count > 4 && lines[0].hasPrefix("Recovery Key 1: ") && lines[1].hasPrefix("Recovery Key 2: "))
            #expect(!initialized.stdout.contains("Unseal Key"))
            #expect(initialized.stdout.contains("\nSuccess! Vault is initialized\n"))
            #expect(
                initialized.stdout.contains(
                    "Recovery key initialized with 2 key shares and a key threshold of 2. Please\nsecurely distribute"))
            let status = try await server.cli(["status"])
            #expect(status.status == 0 && status.stdout.contains("Recovery Seal Type"), "auto-unsealed")
        }
    }

    @Test func initJSONDefaultsToFiveRecoveryShares() async throws {
        try await OperatorTestServer.with(staticSeal: true) { server in
            let initialized = try await server.cli(["operator", "init", "-format=json"])
            #expect(initialized.status == 0, "\(initialized.stderr)")
            let json = try initialized.json()
            #expect((json["recovery_keys_b64"]?.stringArray ?? []).count == 5)
            #expect(json["recovery_keys_shares"] == 5 && json["recovery_keys_threshold"] == 3)
            #expect(json["unseal_keys_b64"] == .array([]) && json["unseal_shares"] == 0)
            #expect(json["root_token"]?.stringValue?.hasPrefix("hvs.") == true)
        }
    }

    @Test func rekeyWithTheRecoveryTargetReplacesTheRecoveryKeys() async throws {
        try await OperatorTestServer.with(staticSeal: true) { server in
            let initialized = try await server.cli(
                ["operator", "init", "-recovery-shares=1", "-recovery-threshold=1", "-format=json"])
            let recoveryKey = try #require(try initialized.json()["recovery_keys_b64"]?.stringArray?.first)
            let barrier = try await server.cli(["operator", "rekey", "-init"])
            #expect(barrier.status == 2 && barrier.stderr.hasPrefix("Error initializing rekey: "))

            let started = try await server.cli(
                ["operator", "rekey", "-target=recovery", "-init", "-key-shares=2", "-key-threshold=2"])
            #expect(started.status == 0, "\(started.stderr)")
            let nonce = try #require(tableValue(started.stdout, "Nonce"))
            let done = try await server.cli(["operator", "rekey", "-target=recovery", "-nonce=\(nonce)", recoveryKey])
            #expect(done.status == 0, "\(done.stderr)")
            #expect(done.stdout.hasPrefix("Key 1: ") && done.stdout.contains("\nKey 2: "))
            #expect(done.stdout.contains("\nOperation nonce: \(nonce)\n"))
            let idle = try await server.cli(["operator", "rekey", "-target=recovery", "-status"])
            #expect(tableValue(idle.stdout, "Started") == "false")
        }
    }
}
