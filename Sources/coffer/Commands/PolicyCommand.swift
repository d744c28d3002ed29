import ArgumentParser
import CofferClient
import Foundation

/// `coffer policy write|read|list|delete`: ACL policies under `sys/policies/acl`.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy", abstract: "Interact with policies",
        subcommands: [Write.self, Read.self, List.self, Delete.self])

    /// `coffer policy write <name> <file|->` → `PUT sys/policies/acl/<name>` `{"policy": …}`.
    struct Write: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "write", abstract: "Upload a policy")
        @OptionGroup var global: GlobalOptions
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 2)
            let name = arguments[0].trimmed.lowercased()
            let source = arguments[1].trimmed
            let text: String
            if source == "-" {
                text = String(decoding: Console.readStandardInput(), as: UTF8.self)
            } else {
                guard let contents = FileManager.default.contents(atPath: source) else {
                    throw fail(
                        "Error opening policy file: open \(source): no such file or directory", code: ExitStatus.usage)
                }
                text = String(decoding: contents, as: UTF8.self)
            }
            try await global.withClient { cli in
                _ = try await cli.call("Error uploading policy") {
                    try await cli.client.request("PUT", "sys/policies/acl/\(name)", body: ["policy": .string(text)])
                }
                Console.output("Success! Uploaded policy: \(name)")
            }
        }
    }

    /// `coffer policy read <name>`: the policy text (table) or the response (json).
    struct Read: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "read", abstract: "Print a policy")
        @OptionGroup var global: GlobalOptions
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 1)
            let name = arguments[0].trimmed.lowercased()
            try await global.withClient { cli in
                let secret = try await cli.call("Error reading policy named \(name)") {
                    try await cli.client.read("sys/policies/acl/\(name)")
                }
                guard let secret else { throw fail("No policy named: \(name)") }
                if cli.printer.field != nil || !cli.printer.isTable {
                    try cli.printer.secretOrField(secret.json)
                    return
                }
                Console.output((secret.data?["policy"]?.stringValue ?? "").trimmed)
            }
        }
    }

    /// `coffer policy list` → `LIST sys/policies/acl`, one name per line.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List the installed policies")
        @OptionGroup var global: GlobalOptions

        func run() async throws {
            try await global.withClient { cli in
                let secret = try await cli.call("Error listing policies") {
                    try await cli.client.list("sys/policies/acl")
                }
                let keys = secret?.data?["keys"]?.arrayValue ?? []
                if cli.printer.isTable {
                    for key in keys { Console.output(GoFormat.value(key)) }
                } else {
                    cli.printer.list(keys)
                }
            }
        }
    }

    /// `coffer policy delete <name>` → `DELETE sys/policies/acl/<name>`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a policy by name")
        @OptionGroup var global: GlobalOptions
        @Argument var arguments: [String] = []

        func run() async throws {
            try expectArguments(arguments, count: 1)
            let name = arguments[0].trimmed.lowercased()
            try await global.withClient { cli in
                _ = try await cli.call("Error deleting \(name)") {
                    try await cli.client.request("DELETE", "sys/policies/acl/\(name)")
                }
                Console.output("Success! Deleted policy: \(name)")
            }
        }
    }
}
