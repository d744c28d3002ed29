import ArgumentParser
import CofferClient
import Foundation

/// The `coffer` executable: a `vault`-compatible CLI plus the server.
///
/// ```sh
/// coffer server -dev -dev-root-token-id=root
/// VAULT_ADDR=http://127.0.0.1:8200 coffer kv put secret/creds password=s3cr3t
/// coffer kv get -field=password secret/creds
/// ```
/// Exit codes follow `vault`: 0 success, 1 usage or local error, 2 error from the server.
@main
struct CofferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coffer",
        abstract: "A Vault-compatible secrets server and its command-line client.",
        subcommands: [
            ServerCommand.self, StatusCommand.self, LoginCommand.self,
            ReadCommand.self, WriteCommand.self, ListCommand.self, DeleteCommand.self,
            KVCommand.self, AuthCommand.self, SecretsCommand.self, PolicyCommand.self, TokenCommand.self,
            AzureSimCommand.self, OperatorCommand.self, AuditCommand.self, UnwrapCommand.self, PathHelpCommand.self,
        ],
        // No short `-h`: with it ArgumentParser reads an unknown `-no-such-flag` as the grouped
        // short flags `-n -o … -h` and prints help. A lone `-h` is rewritten in `main`.
        helpNames: [.customLong("help"), .customLong("help", withSingleDash: true)]
    )

    /// Replaces ArgumentParser's entry point so usage errors exit with 1 (not 64) like `vault`.
    static func main() async {
        do {
            let arguments = CommandLine.arguments.dropFirst().map { $0 == "-h" ? "-help" : $0 }
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch let error as VaultAPIError {
            Console.error(error.description)
            Foundation.exit(ExitStatus.server)
        } catch let error as VaultClientError {
            Console.error(error.description)
            Foundation.exit(ExitStatus.server)
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { Console.output(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { Console.error(message) }
            Foundation.exit(code == .validationFailure ? ExitStatus.usage : code.rawValue)
        }
    }
}
