import ArgumentParser
import CofferClient

/// `coffer auth enable|disable|list|tune`: manage auth methods under `sys/auth`.
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth", abstract: "Interact with auth methods",
        subcommands: [Enable.self, Disable.self, List.self, Tune.self])

    /// `coffer auth enable [-path=p] [-description=d] <type>` → `POST sys/auth/<path>`.
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enable a new auth method")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("path"), help: "Where to mount the method (default: the type).") var path: String?
        @Option(name: .vault("description")) var description = ""
        @Option(name: .vault("default-lease-ttl")) var defaultLeaseTTL = ""
        @Option(name: .vault("max-lease-ttl")) var maxLeaseTTL = ""
        @Flag(name: .vault("local")) var local = false
        @Flag(name: .vault("seal-wrap")) var sealWrap = false
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 1)
            let type = arguments[0].trimmed
            let mount = sanitizePath(path ?? type)
            let body = mountEnableBody(
                type: type, description: description, defaultLeaseTTL: defaultLeaseTTL, maxLeaseTTL: maxLeaseTTL,
                local: local, sealWrap: sealWrap)
            try await global.withClient { cli in
                _ = try await cli.call("Error enabling \(type) auth") {
                    try await cli.client.request("POST", "sys/auth/\(mount)", body: body)
                }
                Console.output("Success! Enabled \(type) auth method at: \(mount)/")
            }
        }
    }

    /// `coffer auth disable <path>` → `DELETE sys/auth/<path>`.
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disable an auth method")
        @OptionGroup var global: GlobalOptions
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 1)
            let mount = sanitizePath(arguments[0])
            try await global.withClient { cli in
                _ = try await cli.call("Error disabling auth method at \(mount)") {
                    try await cli.client.request("DELETE", "sys/auth/\(mount)")
                }
                Console.output("Success! Disabled the auth method (if it existed) at: \(mount)/")
            }
        }
    }

    /// `coffer auth list` → `GET sys/auth`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List enabled auth methods")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await global.withClient { cli in
                let response = try await cli.call("Error listing enabled authentications") {
                    try await cli.client.request("GET", "sys/auth")
                }
                let mounts = response.data ?? [:]
                guard cli.printer.isTable else {
                    cli.printer.data(.object(mounts))
                    return
                }
                var rows: [[String]] = [["Path", "Type", "Accessor", "Description", "Version"]]
                for path in mounts.keys.sorted() {
                    let mount = mounts[path] ?? [:]
                    rows.append([
                        path, GoFormat.value(mount["type"] ?? ""), GoFormat.value(mount["accessor"] ?? ""),
                        GoFormat.value(mount["description"] ?? ""), GoFormat.value(mount["plugin_version"] ?? ""),
                    ])
                }
                Console.output(Table.render(rows))
            }
        }
    }

    /// `coffer auth tune [-default-lease-ttl=…] [-max-lease-ttl=…] [-description=…] <path>`.
    struct Tune: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "tune", abstract: "Tune an auth method configuration")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("description")) var description: String?
        @Option(name: .vault("default-lease-ttl")) var defaultLeaseTTL: String?
        @Option(name: .vault("max-lease-ttl")) var maxLeaseTTL: String?
        @Option(name: .vault("listing-visibility")) var listingVisibility: String?
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 1)
            let mount = sanitizePath(arguments[0])
            var body: [String: JSONValue] = [:]
            if let description { body["description"] = .string(description) }
            if let defaultLeaseTTL { body["default_lease_ttl"] = .string(defaultLeaseTTL) }
            if let maxLeaseTTL { body["max_lease_ttl"] = .string(maxLeaseTTL) }
            if let listingVisibility { body["listing_visibility"] = .string(listingVisibility) }
            try await global.withClient { cli in
                _ = try await cli.call("Error tuning auth method \(mount)") {
                    try await cli.client.request("POST", "sys/auth/\(mount)/tune", body: .object(body))
                }
                Console.output("Success! Tuned the auth method at: \(mount)/")
            }
        }
    }
}
