import ArgumentParser
import CofferClient

/// `coffer unwrap [token]`: `PUT /v1/sys/wrapping/unwrap` and prints the wrapped response. Without an argument the
/// client token is the wrapping token; with one, it is sent in the body unless it is the client token (or there is
/// no client token, when it becomes it), as the Go client does.
struct UnwrapCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "unwrap", abstract: "Unwrap a wrapped secret")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The wrapping token (default: the client token).")
    var token: String?

    func run() async throws {
        try await global.withClient { cli in
            var body: JSONValue? = nil
            if let token, !token.isEmpty {
                if (cli.client.token ?? "").isEmpty {
                    cli.client.setToken(token)
                } else if token != cli.client.token {
                    body = ["token": .string(token)]
                }
            }
            let response = try await cli.call("Error unwrapping") {
                try await cli.client.request("PUT", "sys/wrapping/unwrap", body: body)
            }
            guard response.json != nil else {
                if cli.printer.isTable {
                    Console.output("Successfully unwrapped. There was no data in the wrapped secret.")
                }
                return
            }
            try cli.printer.secretOrField(response.json)
        }
    }
}
