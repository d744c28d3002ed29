import ArgumentParser
import CofferClient

/// `coffer audit enable|list|disable`: audit devices under `sys/audit` (sudo).
///
/// ```sh
/// coffer audit enable file file_path=/var/log/coffer/audit.log
/// coffer audit list -detailed
/// coffer audit disable file/
/// ```
struct AuditCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit", abstract: "Interact with audit devices",
        subcommands: [Enable.self, List.self, Disable.self])

    /// `coffer audit enable [-path=p] [-description=d] [-local] <type> [k=v…]` → `PUT sys/audit/<path>`.
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "enable", abstract: "Enables an audit device")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("path"), help: "Where to enable the device (default: the type).") var path = ""
        @Option(name: .vault("description"), help: "Human-friendly description of the device.") var description = ""
        @Flag(name: .vault("local"), help: "Do not replicate the device to other clusters.") var local = false
        @Argument var arguments: [String] = []

        func run() async throws {
            guard let first = arguments.first else {
                throw fail(
                    "Error enabling audit device: audit type missing. Valid types include 'file', 'socket' and "
                        + "'syslog'.", code: ExitStatus.usage)
            }
            let type = first.trimmed
            let mount = sanitizePath(path.isEmpty ? type : path)
            let options: [String: JSONValue]
            do {
                options = try KeyValueArguments.parse(Array(arguments.dropFirst())).mapValues { value in
                    .string(value.stringValue ?? GoFormat.value(value))
                }
            } catch {
                throw fail("Failed to parse K=V data: \(error)", code: ExitStatus.usage)
            }
            let body: JSONValue = [
                "type": .string(type), "description": .string(description), "options": .object(options),
                "local": .bool(local),
            ]
            try await global.withClient { cli in
                _ = try await cli.call("Error enabling audit device") {
                    // Vault's CLI sends the path with a trailing slash; Coffer's core refuses writes to such
                    // paths, so the request goes out as hvac sends it (same device, same answer).
                    try await cli.client.request("PUT", "sys/audit/\(mount)", body: body)
                }
                Console.output("Success! Enabled the \(type) audit device at: \(mount)/")
            }
        }
    }

    /// `coffer audit list [-detailed]` → `GET sys/audit`; none enabled prints a notice and exits 2.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Lists enabled audit devices")
        @OptionGroup var global: GlobalOptions
        @Flag(name: .vault("detailed"), help: "Also print the replication mode and options.") var detailed = false
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 0)
            let empty = try await global.withClient { cli -> Bool in
                let response = try await cli.call("Error listing audits") {
                    try await cli.client.request("GET", "sys/audit")
                }
                let devices = response.data ?? Printer.secretObject(response.json)["data"]?.objectValue ?? [:]
                guard cli.printer.isTable else {
                    cli.printer.data(.object(devices))
                    return false
                }
                guard !devices.isEmpty else {
                    Console.output("No audit devices are enabled.")
                    return true
                }
                Console.output(Table.render(Self.rows(devices, detailed: detailed)))
                return false
            }
            if empty { throw ExitCode(ExitStatus.server) }
        }

        static func rows(_ devices: [String: JSONValue], detailed: Bool) -> [[String]] {
            var rows = [
                detailed ? ["Path", "Type", "Description", "Replication", "Options"] : ["Path", "Type", "Description"]
            ]
            for path in devices.keys.sorted() {
                let device = devices[path]?.objectValue ?? [:]
                let type = device["type"]?.stringValue ?? "", description = device["description"]?.stringValue ?? ""
                guard detailed else {
                    rows.append([device["path"]?.stringValue ?? path, type, description])
                    continue
                }
                let options = (device["options"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
                    .map { "\($0.key)=\(GoFormat.value($0.value))" }.joined(separator: " ")
                let replication = device["local"]?.boolValue == true ? "local" : "replicated"
                rows.append([path, type, description, replication, options])
            }
            return rows
        }
    }

    /// `coffer audit disable <path>` → `DELETE sys/audit/<path>/`.
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "disable", abstract: "Disables an audit device")
        @OptionGroup var global: GlobalOptions
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 1)
            let path = sanitizePath(arguments[0]) + "/"
            try await global.withClient { cli in
                _ = try await cli.call("Error disabling audit device") {
                    try await cli.client.request("DELETE", "sys/audit/\(path)")
                }
                Console.output("Success! Disabled audit device (if it was enabled) at: \(path)")
            }
        }
    }
}
