import ArgumentParser
import CofferClient

/// `coffer operator step-down`: `PUT sys/step-down` (sudo). A server without HA answers 204 and nothing changes;
/// an error from the server (e.g. a server without the endpoint) is printed and exits 2.
///
/// ```sh
/// coffer operator step-down     # Success! Stepped down: https://127.0.0.1:8200
/// ```
struct OperatorStepDownCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step-down", abstract: "Forces the server to resign active duty")

    @OptionGroup var global: GlobalOptions
    @Argument var arguments: [String] = []

    func run() async throws {
        try expectArguments(arguments, count: 0)
        try await global.withClient { cli in
            _ = try await cli.call("Error stepping down") { try await cli.client.request("PUT", "sys/step-down") }
            Console.output("Success! Stepped down: \(cli.client.address)")
        }
    }
}
