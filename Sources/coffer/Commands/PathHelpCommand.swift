import ArgumentParser
import CofferClient

/// `coffer path-help <path>`: `GET /v1/<path>?help=1`, the help the mounted backend builds from its path table
/// (the same table `sys/internal/specs/openapi` is generated from; docs/openapi.md).
///
/// ```sh
/// coffer path-help secret/data/app        # the matched path's synopsis and parameters
/// coffer path-help -format=json sys/mounts
/// ```
struct PathHelpCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "path-help", abstract: "Retrieve API help for paths")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The path to describe.")
    var arguments: [String] = []

    func run() async throws {
        guard arguments.count == 1 else {
            throw fail("Not enough arguments (expected 1, got \(arguments.count))", code: ExitStatus.usage)
        }
        let path = sanitizePath(arguments[0])
        try await global.withClient { cli in
            let response: VaultResponse
            do {
                response = try await cli.client.request("GET", path, query: ["help": "1"])
            } catch let error as VaultAPIError where error.description.contains("Vault is sealed") {
                throw fail(
                    "Error: Vault is sealed.\n\nThe \"path-help\" command requires the Vault to be unsealed so that the mount points of the secret engines are known."
                )
            } catch {
                throw fail("Error retrieving help: \(error)")
            }
            // Vault answers help at the top level; Coffer's envelope carries it in `data`: read either.
            let object = response.json?.objectValue ?? [:]
            let help = object["data"]?.objectValue ?? object
            if cli.printer.isTable {
                Console.output(help["help"]?.stringValue ?? "")
            } else {
                let document: JSONValue = [
                    "help": help["help"] ?? "", "openapi": help["openapi"] ?? .null,
                    "see_also": help["see_also"] ?? .null,
                ]
                Console.output(document.formatted())
            }
        }
    }
}
