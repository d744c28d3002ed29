import ArgumentParser
import CofferClient
import Foundation

/// `coffer operator rekey`: new unseal key shares from a quorum of the current ones, over `sys/rekey/*`
/// (`sys/rekey-recovery-key/*` with `-target=recovery`), with the optional verification phase and the backup
/// endpoints.
///
/// ```sh
/// coffer operator rekey -init -key-shares=3 -key-threshold=2
/// coffer operator rekey -nonce=$NONCE $OLD_SHARE           # until the new keys are printed
/// coffer operator rekey -verify -nonce=$VERIFY_NONCE $NEW_SHARE   # only with -init -verify
/// ```
struct OperatorRekeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rekey", abstract: "Generates new unseal keys")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .vault("init"), help: "Start a rekey.") var initialize = false
    @Flag(name: .vault("cancel"), help: "Cancel the rekey (with -verify: restart the verification).")
    var cancel = false
    @Flag(name: .vault("status"), help: "Print the rekey (with -verify: verification) status.") var status = false
    @Option(name: .vault("key-shares"), help: "Number of new key shares (default 5).") var keyShares = 5
    @Option(name: .vault("key-threshold"), help: "New shares needed to unseal (default 3).") var keyThreshold = 3
    @Option(name: .vault("nonce"), help: "Nonce of the operation, required when the key is an argument.")
    var nonce = ""
    @Option(name: .vault("target"), help: "barrier (unseal keys) or recovery (recovery keys).") var target = "barrier"
    @Flag(name: .vault("verify"), help: "With -init: require verification; otherwise act on the verification.")
    var verify = false
    @Flag(name: .vault("backup"), help: "Store PGP-encrypted new keys for -backup-retrieve.") var backup = false
    @Flag(name: .vault("backup-delete"), help: "Delete the stored backup of the keys.") var backupDelete = false
    @Flag(name: .vault("backup-retrieve"), help: "Print the stored backup of the keys.") var backupRetrieve = false
    @Argument var arguments: [String] = []

    func run() async throws {
        if arguments.count > 1 {
            throw fail("Too many arguments (expected 0-1, got \(arguments.count))", code: ExitStatus.usage)
        }
        let paths = try RekeyPaths(target: target)
        try await global.withClient { cli in
            if backupDelete {
                _ = try await cli.call("Error deleting rekey stored keys") {
                    try await cli.client.request("DELETE", paths.backup)
                }
                return Console.output("Success! Delete stored keys (if they existed)")
            }
            if backupRetrieve {
                let stored = try await cli.call("Error retrieving rekey stored keys") {
                    try await cli.client.request("GET", paths.backup)
                }
                return cli.printer.secret(.object(["data": stored.data.map(JSONValue.object) ?? .null]))
            }
            if cancel {
                _ = try await cli.call("Error canceling rekey") {
                    try await cli.client.request("DELETE", verify ? paths.verify : paths.initialize)
                }
                return Console.output("Success! Canceled rekeying (if it was started)")
            }
            if initialize { return try await start(cli, paths: paths) }
            if status { return try await printCurrentStatus(cli, paths: paths, verification: verify) }
            try await provide(cli, paths: paths, key: arguments.first?.trimmed ?? "")
        }
    }

    private func start(_ cli: CLIContext, paths: RekeyPaths) async throws {
        let body: JSONValue = [
            "secret_shares": .int(Int64(keyShares)), "secret_threshold": .int(Int64(keyThreshold)),
            "require_verification": .bool(verify),
        ]
        let answer = try await cli.call("Error initializing rekey") {
            try await cli.client.request("PUT", paths.initialize, body: body)
        }
        if cli.printer.isTable {
            Console.error(
                Console.wrap(
                    "WARNING! If you lose the keys after they are returned, there is no recovery. Consider canceling "
                        + "this operation and re-initializing with the -pgp-keys flag to protect the returned unseal "
                        + "keys along with -backup to allow recovery of the encrypted keys in case of emergency. You "
                        + "can delete the stored keys later using the -delete flag."))
            Console.output("")
        }
        RekeyOutput.printStatus(answer.json?.objectValue ?? [:], verification: false, cli: cli)
    }

    func printCurrentStatus(_ cli: CLIContext, paths: RekeyPaths, verification: Bool) async throws {
        let answer = try await cli.call("Error reading rekey status") {
            try await cli.client.request("GET", verification ? paths.verify : paths.initialize)
        }
        RekeyOutput.printStatus(answer.json?.objectValue ?? [:], verification: verification, cli: cli)
    }

    /// Submits one current share (or, with `-verify`, one new share); prints the new keys when the rekey completes.
    private func provide(_ cli: CLIContext, paths: RekeyPaths, key: String) async throws {
        let current =
            try await cli.call("Error getting rekey status") {
                try await cli.client.request("GET", verify ? paths.verify : paths.initialize)
            }.json?.objectValue ?? [:]
        guard verify || current["started"]?.boolValue == true else {
            throw fail(
                Console.wrap(
                    "No rekey is in progress. Start a rekey process by running \"vault operator rekey -init\"."),
                code: ExitStatus.usage)
        }
        var key = key, nonce = self.nonce
        if key == "-" {
            key = String(decoding: Console.readStandardInput(), as: UTF8.self)
        } else if key.isEmpty {
            nonce = current["nonce"]?.stringValue ?? ""
            Console.output("Rekey operation nonce: \(nonce)")
            key = try OperatorGenerateRootCommand.promptForKey()
        }
        guard !nonce.isEmpty else {
            throw fail("Missing nonce value: specify it via the -nonce flag", code: ExitStatus.usage)
        }
        let answer =
            try await cli.call("Error posting unseal key") {
                try await cli.client.request(
                    "PUT", verify ? paths.verify : paths.update,
                    body: ["key": .string(key.trimmed), "nonce": .string(nonce)])
            }.json?.objectValue ?? [:]
        guard answer["complete"]?.boolValue == true else {
            return try await printCurrentStatus(cli, paths: paths, verification: verify)
        }
        if verify {
            return Console.output(
                Console.wrap(
                    "Rekey verification successful. The rekey operation is complete and the new keys are now active."))
        }
        RekeyOutput.printKeys(answer, status: current, target: paths.target, cli: cli)
        if cli.printer.isTable, answer["verification_required"]?.boolValue == true {
            try await printCurrentStatus(cli, paths: paths, verification: true)
        }
    }
}
