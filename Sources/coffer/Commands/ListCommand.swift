import ArgumentParser
import CofferClient

/// `coffer list <path>`: `LIST /v1/<path>` and print the keys.
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List data or secrets")

    @OptionGroup var global: GlobalOptions

    @Argument var arguments: [String] = []

    func run() async throws {
        try expectArguments(arguments, count: 1)
        let path = sanitizePath(arguments[0])
        try await global.withClient { cli in
            try await Self.list(path, cli: cli)
        }
    }

    /// Shared with `kv list`: list, then print `Keys` or the JSON array.
    static func list(_ path: String, cli: CLIContext) async throws {
        let secret = try await cli.call("Error listing \(path)") { try await cli.client.list(path) }
        guard let secret, secret.json?["data"]?.isNull == false else { throw fail("No value found at \(path)") }
        if let field = cli.printer.field {
            try cli.printer.rawField(Printer.rawField(in: secret.json, named: field), named: field)
            return
        }
        guard let keys = secret.data?["keys"]?.arrayValue else { throw fail("No entries found at \(path)") }
        cli.printer.list(keys, envelope: secret.json)
    }
}
