import CofferClient
import CofferTesting
import Foundation
import Testing

/// `coffer operator init|unseal|seal` end to end against a real `coffer server -config=…` with the Shamir seal:
/// the texts and exit codes Vault's CLI gives, keys by argument and through a piped stdin, and a restart that
/// needs the quorum again.
@Suite(.serialized) struct OperatorSealTests {
    @Test func initUnsealSealAndUnsealAgainAfterARestart() async throws {
        try await OperatorTestServer.with { server in
            let before = try await server.cli(["operator", "init", "-status"])
            #expect(before.status == 2 && before.stdout == "Vault is not initialized\n", "\(before.stderr)")

            let initialized = try await server.cli(["operator", "init", "-format=json"])
            #expect(initialized.status == 0, "\(initialized.stderr)")
            let json = try initialized.json()
            let keys = json["unseal_keys_b64"]?.stringArray ?? []
            let root = json["root_token"]?.stringValue ?? ""
            #expect(keys.count == 5 && (json["unseal_keys_hex"]?.stringArray ?? []).count == 5)
            #expect(json["unseal_shares"] == 5 && json["unseal_threshold"] == 3)
            #expect(json["recovery_keys_b64"] == .array([]) && json["recovery_keys_shares"] == 0)
            #expect(root.hasPrefix("hvs."))
            #expect(initialized.stdout.hasPrefix("{\n  \"unseal_keys_b64\": ["))

            let after = try await server.cli(["operator", "init", "-status"])
            #expect(after.status == 0 && after.stdout == "Vault is initialized\n")
            let again = try await server.cli(["operator", "init"])
            #expect(again.status == 2 && again.stderr.contains("Error initializing: Error making API request."))
            #expect(again.stderr.contains("* Vault is already initialized"))

            try await unsealWithThreeKeys(server, keys)
            #expect(try await server.cli(["status"]).status == 0)

            let sealed = try await server.cli(["operator", "seal"], token: root)
            #expect(sealed.status == 0 && sealed.stdout == "Success! Vault is sealed.\n", "\(sealed.stderr)")
            #expect(try await server.cli(["status"]).status == 2)

            try await server.restart()
            let restarted = try await server.cli(["status"])
            #expect(restarted.status == 2 && hasRow(restarted.stdout, "Initialized", "true"))
            try await unsealWithThreeKeys(server, keys)
            let lookup = try await server.cli(["token", "lookup", "-format=json"], token: root)
            #expect(lookup.status == 0, "\(lookup.stderr)")
        }
    }

    /// Shares one and two by argument and through stdin, a reset in between, then three shares to unseal.
    private func unsealWithThreeKeys(_ server: OperatorTestServer, _ keys: [String]) async throws {
        let first = try await server.cli(["operator", "unseal", keys[0]])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(hasRow(first.stdout, "Sealed", "true") && hasRow(first.stdout, "Unseal Progress", "1/3"))
        #expect(first.stdout.contains("Seal Type") && hasRow(first.stdout, "Total Shares", "5"))

        let piped = try await server.cli(["operator", "unseal"], stdin: keys[1] + "\n")
        #expect(piped.status == 0, "\(piped.stderr)")
        #expect(piped.stdout.hasPrefix("Unseal Key (will be hidden): \n"))
        #expect(hasRow(piped.stdout, "Unseal Progress", "2/3"))
        #expect(!piped.stdout.contains(keys[1]), "the key is not echoed")

        let reset = try await server.cli(["operator", "unseal", "-reset"])
        #expect(reset.status == 0 && hasRow(reset.stdout, "Unseal Progress", "0/3"), "\(reset.stderr)")

        for key in keys[0..<2] {
            #expect(try await server.cli(["operator", "unseal", key]).status == 0)
        }
        let last = try await server.cli(["operator", "unseal"], stdin: keys[2])
        #expect(last.status == 0, "\(last.stderr)")
        #expect(hasRow(last.stdout, "Sealed", "false") && !last.stdout.contains("Unseal Progress"))
        #expect(last.stdout.contains("Cluster Name") && last.stdout.contains("HA Enabled"))
    }

    @Test func initTablePrintsTheKeysTheRootTokenAndVaultsAdvice() async throws {
        try await OperatorTestServer.with { server in
            let initialized = try await server.cli(["operator", "init", "-key-shares=3", "-key-threshold=2"])
            #expect(initialized.status == 0, "\(initialized.stderr)")
            let lines = initialized.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            #expect(lines.count > 5)
            for index in 0..<3 {
                #expect(lines[index].hasPrefix("Unseal Key \(index + 1): ") && lines[index].count == 14 + 44)
            }
            #expect(lines[3] == "" && lines[4].hasPrefix("Initial Root Token: hvs."))
            #expect(
                initialized.stdout.contains(
                    "Vault initialized with 3 key shares and a key threshold of 2. Please securely\ndistribute"))
            #expect(initialized.stdout.contains("See \"vault operator rekey\" for more information.\n"))

            let wrongKey = try await server.cli(["operator", "unseal", "not a key"])
            #expect(wrongKey.status == 2 && wrongKey.stderr.hasPrefix("Error unsealing: Error making API request."))
            let tooMany = try await server.cli(["operator", "unseal", "a", "b"])
            #expect(tooMany.status == 1 && tooMany.stderr == "Too many arguments (expected 0-1, got 2)\n")
            let noInput = try await server.cli(["operator", "unseal"], stdin: "")
            #expect(noInput.status == 1 && noInput.stderr.contains("The raw error was: EOF"))
        }
    }

    /// Whether a table in `output` has the row `key` … `value` (the key, column padding, the value).
    private func hasRow(_ output: String, _ key: String, _ value: String) -> Bool {
        output.split(separator: "\n").contains { line in
            line.hasPrefix(key + "    ") && line.dropFirst(key.count).trimmingCharacters(in: .whitespaces) == value
        }
    }
}
