import ArgumentParser
import CofferClient

/// `coffer write <path> k=v… | -`: `PUT /v1/<path>` with the pairs as a JSON object.
struct WriteCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "write", abstract: "Write data, configuration, and secrets")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var wrap: WrapTTLOption

    @Flag(
        name: [
            .customLong("f", withSingleDash: true), .customLong("force", withSingleDash: true), .customLong("force"),
        ],
        help: "Allow the operation to continue with no key=value pairs.")
    var force = false

    @Argument(help: "The path, then key=value pairs (k=@file, k=- for stdin, or - for a JSON object on stdin).")
    var arguments: [String] = []

    func run() async throws {
        guard let first = arguments.first else {
            throw fail("Not enough arguments (expected 1, got 0)", code: ExitStatus.usage)
        }
        let path = sanitizePath(first)
        let data: [String: JSONValue]
        do {
            data = try KeyValueArguments.parse(Array(arguments.dropFirst()))
        } catch {
            throw fail("Failed to parse K=V data: \(error)", code: ExitStatus.usage)
        }
        if data.isEmpty && !force {
            throw fail("Must supply data or use -force", code: ExitStatus.usage)
        }
        let headers = try wrap.headers()
        try await global.withClient { cli in
            let secret = try await cli.call("Error writing data to \(path)") {
                let response = try await cli.client.request("PUT", path, body: .object(data), headers: headers)
                return response.json == nil ? nil : response
            }
            guard let secret else {
                if cli.printer.isTable { Console.output("Success! Data written to: \(path)") }
                return
            }
            try cli.printer.secretOrField(secret.json)
        }
    }
}
