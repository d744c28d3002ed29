import ArgumentParser
import CofferClient

/// `coffer operator seal`: `PUT sys/seal` (sudo); the server forgets its keys until unsealed again.
///
/// ```sh
/// coffer operator seal      # Success! Vault is sealed.
/// ```
struct OperatorSealCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seal", abstract: "Seals the server")

    @OptionGroup var global: GlobalOptions
    @Argument var arguments: [String] = []

    func run() async throws {
        try expectArguments(arguments, count: 0)
        try await global.withClient { cli in
            _ = try await cli.call("Error sealing") { try await cli.client.request("PUT", "sys/seal") }
            Console.output("Success! Vault is sealed.")
        }
    }
}
