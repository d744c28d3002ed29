import ArgumentParser
import CofferClient

/// `coffer read <path> [k=v…]`: `GET /v1/<path>` (the pairs become query parameters).
struct ReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "read", abstract: "Read data and retrieve secrets")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var wrap: WrapTTLOption

    @Argument(help: "The path to read, then optional key=value query parameters.")
    var arguments: [String] = []

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
        let headers = try wrap.headers()
        try await global.withClient { cli in
            let secret = try await cli.call("Error reading \(path)") {
                try await Self.read(cli.client, path, query: query, headers: headers)
            }
            guard let secret else { throw fail("No value found at \(path)") }
            try cli.printer.secretOrField(secret.json)
        }
    }

    /// `GET`, nil when nothing is there; with a wrap header the answer may be the wrapping envelope.
    static func read(
        _ client: VaultClient, _ path: String, query: [String: String], headers: [String: String]
    ) async throws -> VaultResponse? {
        guard !headers.isEmpty else { return try await client.read(path, query: query) }
        do {
            let response = try await client.request("GET", path, query: query, headers: headers)
            return response.json == nil ? nil : response
        } catch let error as VaultAPIError where error.statusCode == 404 {
            return error.response.carriesSecret ? error.response : nil
        }
    }
}
