import CofferClient
import CofferTesting
import Foundation
import Testing

/// `coffer operator rekey` end to end against a Shamir-sealed `coffer server -config=…`: new shares replace the
/// old ones (the old ones stop unsealing, the new ones unseal), the verification phase, and the backup endpoints.
@Suite(.serialized) struct OperatorRekeyTests {
    @Test func rekeyReplacesTheUnsealKeys() async throws {
        try await OperatorTestServer.with { server in
            let (keys, root) = try await server.initializeAndUnseal()
            let started = try await server.cli(["operator", "rekey", "-init", "-key-shares=3", "-key-threshold=2"])
            #expect(started.status == 0, "\(started.stderr)")
            #expect(started.stderr.contains("WARNING! If you lose the keys after they are returned"))
            let nonce = tableValue(started.stdout, "Nonce") ?? ""
            #expect(tableValue(started.stdout, "Rekey Progress") == "0/3")
            #expect(
                tableValue(started.stdout, "New Shares") == "3" && tableValue(started.stdout, "New Threshold") == "2")

            var last = started
            for key in keys.prefix(3) {
                last = try await server.cli(["operator", "rekey", "-nonce=\(nonce)", key])
                #expect(last.status == 0, "\(last.stderr)")
            }
            let newKeys = Self.newKeys(last.stdout)
            #expect(newKeys.count == 3 && last.stdout.contains("\nOperation nonce: \(nonce)\n"))
            #expect(last.stdout.contains("Vault unseal keys rekeyed with 3 key shares and a key threshold of 2."))

            #expect(try await server.cli(["operator", "seal"], token: root).status == 0)
            _ = try await server.cli(["operator", "unseal", keys[0]])
            let old = try await server.cli(["operator", "unseal", keys[1]])
            #expect(old.status == 2, "the old shares no longer open the server: \(old.stdout)")
            for key in newKeys.prefix(2) { _ = try await server.cli(["operator", "unseal", key]) }
            #expect(try await server.cli(["status"]).status == 0)
        }
    }

    @Test func verificationActivatesTheNewKeysOnlyOnceTheyAreProven() async throws {
        try await OperatorTestServer.with { server in
            let (keys, root) = try await server.initializeAndUnseal()
            let started = try await server.cli(
                ["operator", "rekey", "-init", "-key-shares=2", "-key-threshold=2", "-verify"])
            #expect(tableValue(started.stdout, "Verification Required") == "true", "\(started.stderr)")
            var last = started
            for key in keys.prefix(3) {
                last = try await server.cli(["operator", "rekey"], stdin: key + "\n")
                #expect(last.status == 0, "\(last.stderr)")
            }
            #expect(last.stdout.hasPrefix("Rekey operation nonce: "))
            #expect(last.stdout.contains("These will not be active until after verification is complete."))
            #expect(last.stderr.contains("Again, these key shares are _not_ valid until verification is performed."))
            let newKeys = Self.newKeys(last.stdout)
            let verificationNonce = tableValue(last.stdout, "Verification Nonce") ?? ""
            #expect(newKeys.count == 2 && tableValue(last.stdout, "Verification Progress") == "0/2")

            let first = try await server.cli([
                "operator", "rekey", "-verify", "-nonce=\(verificationNonce)", newKeys[0],
            ])
            #expect(tableValue(first.stdout, "Verification Progress") == "1/2", "\(first.stderr)")
            let done = try await server.cli(["operator", "rekey", "-verify", "-nonce=\(verificationNonce)", newKeys[1]])
            #expect(done.status == 0, "\(done.stderr)")
            #expect(
                done.stdout
                    == "Rekey verification successful. The rekey operation is complete and the new keys\nare now active.\n"
            )

            #expect(try await server.cli(["operator", "seal"], token: root).status == 0)
            for key in newKeys { _ = try await server.cli(["operator", "unseal", key]) }
            #expect(try await server.cli(["status"]).status == 0)
        }
    }

    @Test func cancelStatusAndTheBackupWithoutPGPKeys() async throws {
        try await OperatorTestServer.with { server in
            let (_, root) = try await server.initializeAndUnseal()
            let idle = try await server.cli(["operator", "rekey", "-status"])
            #expect(idle.status == 0 && tableValue(idle.stdout, "Started") == "false", "\(idle.stderr)")
            let noRekey = try await server.cli(["operator", "rekey", "-nonce=x", "key"])
            #expect(noRekey.status == 1 && noRekey.stderr.hasPrefix("No rekey is in progress."))
            _ = try await server.cli(["operator", "rekey", "-init"])
            let canceled = try await server.cli(["operator", "rekey", "-cancel"])
            #expect(canceled.stdout == "Success! Canceled rekeying (if it was started)\n")
            let unknownTarget = try await server.cli(["operator", "rekey", "-status", "-target=disk"])
            #expect(unknownTarget.status == 1 && unknownTarget.stderr == "Unknown target: disk\n")

            let backup = try await server.cli(["operator", "rekey", "-backup-retrieve"], token: root)
            #expect(backup.status == 2 && backup.stderr.hasPrefix("Error retrieving rekey stored keys: "))
            #expect(backup.stderr.contains("Code: 400. Errors:\n\n* no backed-up keys found"))
            let deleted = try await server.cli(["operator", "rekey", "-backup-delete"], token: root)
            #expect(deleted.status == 0 && deleted.stdout == "Success! Delete stored keys (if they existed)\n")
        }
    }

    /// The `Key N: <share>` lines of a completed rekey.
    private static func newKeys(_ output: String) -> [String] {
        output.split(separator: "\n").filter { $0.hasPrefix("Key ") && $0.contains(": ") }.map {
            String($0.split(separator: " ").last ?? "")
        }
    }
}
