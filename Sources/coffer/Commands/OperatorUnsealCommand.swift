import ArgumentParser
import CofferClient

/// `coffer operator unseal [key]`: `PUT sys/unseal` with one key share, then the seal status. Without a key
/// argument it prompts for the share without echo (or reads one line from a piped stdin); `-reset` discards the
/// shares given so far.
///
/// ```sh
/// coffer operator unseal                # Unseal Key (will be hidden):
/// echo "$SHARE" | coffer operator unseal
/// coffer operator unseal -reset
/// ```
struct OperatorUnsealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unseal", abstract: "Unseals the server")

    @OptionGroup var global: GlobalOptions
    @Flag(name: .vault("reset"), help: "Discard the key shares given so far in this unseal attempt.") var reset = false
    @Argument var arguments: [String] = []

    func run() async throws {
        if arguments.count > 1 {
            throw fail("Too many arguments (expected 0-1, got \(arguments.count))", code: ExitStatus.usage)
        }
        try await global.withClient { cli in
            if reset {
                let status = try await cli.call("Error resetting unseal process") {
                    try await cli.client.request("PUT", "sys/unseal", body: ["reset": true])
                }
                return try await SealStatusOutput.print(status.json?.objectValue ?? [:], cli: cli)
            }
            let key = try arguments.first ?? Self.promptForKey()
            let status = try await cli.call("Error unsealing") {
                try await cli.client.request(
                    "PUT", "sys/unseal", body: ["key": .string(key.trimmed), "reset": false, "migrate": false])
            }
            try await SealStatusOutput.print(status.json?.objectValue ?? [:], cli: cli)
        }
    }

    static func promptForKey() throws -> String {
        do {
            return try SecretPrompt.read("Unseal Key (will be hidden): ")
        } catch {
            throw fail(
                Console.wrap(
                    "An error occurred attempting to ask for an unseal key. The raw error message is shown below, "
                        + "but usually this is because you attempted to pipe a value into the unseal command or you "
                        + "are executing outside of a terminal (tty). You should run the unseal command from a "
                        + "terminal for maximum security. If this is not an option, the unseal key can be provided as "
                        + "the first argument to the unseal command. The raw error was: \(error)"),
                code: ExitStatus.usage)
        }
    }
}
