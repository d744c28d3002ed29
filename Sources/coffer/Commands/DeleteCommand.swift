import ArgumentParser
import CofferClient

/// `coffer delete <path>`: `DELETE /v1/<path>`.
struct DeleteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete secrets and configuration")

    @OptionGroup var global: GlobalOptions

    @Argument var arguments: [String] = []

    func run() async throws {
        guard let first = arguments.first else {
            throw fail("Not enough arguments (expected 1, got 0)", code: ExitStatus.usage)
        }
        let path = sanitizePath(first)
        let query: [String: String]
        do {
            query = try KeyValueArguments.parse(Array(arguments.dropFirst())).mapValues { GoFormat.value($0) }
        } catch {
            throw fail("Failed to parse K=V data: \(error)", code: ExitStatus.usage)
        }
        try await global.withClient { cli in
            let secret = try await cli.call("Error deleting \(path)") {
                try await cli.client.delete(path, query: query)
            }
            guard let secret else {
                if cli.printer.isTable { Console.output("Success! Data deleted (if it existed) at: \(path)") }
                return
            }
            cli.printer.secret(secret.json)
        }
    }
}
