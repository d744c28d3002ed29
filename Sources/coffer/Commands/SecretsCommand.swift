import ArgumentParser
import CofferClient

/// `coffer secrets enable|disable|list`: manage secrets engines under `sys/mounts`.
struct SecretsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "secrets", abstract: "Interact with secrets engines",
        subcommands: [Enable.self, Disable.self, List.self])

    /// `coffer secrets enable [-path=p] [-version=2] [-description=d] <type>` → `POST sys/mounts/<path>`.
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a secrets engine")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("path"), help: "Where to mount the engine (default: the type).") var path: String?
        @Option(name: .vault("description")) var description = ""
        @Option(name: .vault("version"), help: "Engine version; 2 selects KV version 2 for kv.") var version: Int?
        @Option(name: .vault("default-lease-ttl")) var defaultLeaseTTL = ""
        @Option(name: .vault("max-lease-ttl")) var maxLeaseTTL = ""
        @Flag(name: .vault("local")) var local = false
        @Flag(name: .vault("seal-wrap")) var sealWrap = false
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 1)
            let type = arguments[0].trimmed
            let mount = sanitizePath(path ?? type)
            let options: JSONValue = version.map { ["version": .string(String($0))] } ?? nil
            let body = mountEnableBody(
                type: type, description: description, defaultLeaseTTL: defaultLeaseTTL, maxLeaseTTL: maxLeaseTTL,
                local: local, sealWrap: sealWrap, options: options)
            try await global.withClient { cli in
                _ = try await cli.call("Error enabling") {
                    try await cli.client.request("POST", "sys/mounts/\(mount)", body: body)
                }
                Console.output("Success! Enabled the \(type) secrets engine at: \(mount)/")
            }
        }
    }

    /// `coffer secrets disable <path>` → `DELETE sys/mounts/<path>`.
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable a secrets engine")
        @OptionGroup var global: GlobalOptions
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 1)
            let mount = sanitizePath(arguments[0])
            try await global.withClient { cli in
                _ = try await cli.call("Error disabling secrets engine at \(mount)") {
                    try await cli.client.request("DELETE", "sys/mounts/\(mount)")
                }
                Console.output("Success! Disabled the secrets engine (if it existed) at: \(mount)/")
            }
        }
    }

    /// `coffer secrets list` → `GET sys/mounts`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List enabled secrets engines")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await global.withClient { cli in
                let response = try await cli.call("Error listing secrets engines") {
                    try await cli.client.request("GET", "sys/mounts")
                }
                let mounts = response.data ?? [:]
                guard cli.printer.isTable else {
                    cli.printer.data(.object(mounts))
                    return
                }
                var rows: [[String]] = [["Path", "Type", "Accessor", "Description"]]
                for path in mounts.keys.sorted() {
                    let mount = mounts[path] ?? [:]
                    rows.append([
                        path, GoFormat.value(mount["type"] ?? ""), GoFormat.value(mount["accessor"] ?? ""),
                        GoFormat.value(mount["description"] ?? ""),
                    ])
                }
                Console.output(Table.render(rows))
            }
        }
    }
}
