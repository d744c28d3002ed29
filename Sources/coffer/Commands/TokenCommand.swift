import ArgumentParser
import CofferClient

/// `coffer token create|lookup|renew|revoke`: the token store at `auth/token/`.
struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Interact with tokens",
        subcommands: [Create.self, Lookup.self, Renew.self, Revoke.self])

    /// `coffer token create [-policy=p…] [-ttl=…] [-orphan] …` → `POST auth/token/create`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create a new token")
        @OptionGroup var global: GlobalOptions
        @Option(name: .vault("policy"), help: "A policy for the token; repeat for more.") var policies: [String] = []
        @Option(name: .vault("ttl")) var ttl: String?
        @Option(name: .vault("explicit-max-ttl")) var explicitMaxTTL: String?
        @Option(name: .vault("period")) var period: String?
        @Option(name: .vault("display-name")) var displayName: String?
        @Option(name: .vault("use-limit")) var useLimit: Int?
        @Option(name: .vault("renewable")) var renewable = true
        @Option(name: .vault("id")) var id: String?
        @Option(name: .vault("role")) var role: String?
        @Option(name: .vault("type")) var type: String?
        @Option(name: .vault("metadata"), help: "key=value metadata; repeat for more.") var metadata: [String] = []
        @Flag(name: .vault("orphan")) var orphan = false
        @Flag(name: .vault("no-default-policy")) var noDefaultPolicy = false
        @OptionGroup var wrap: WrapTTLOption

        func body() throws -> JSONValue {
            var body: [String: JSONValue] = ["renewable": .bool(renewable)]
            let policyList = policies.flatMap { $0.split(separator: ",").map { String($0).trimmed } }.filter {
                !$0.isEmpty
            }
            if !policyList.isEmpty { body["policies"] = .array(policyList.map(JSONValue.string)) }
            if let ttl { body["ttl"] = .string(ttl) }
            if let explicitMaxTTL { body["explicit_max_ttl"] = .string(explicitMaxTTL) }
            if let period { body["period"] = .string(period) }
            if let displayName { body["display_name"] = .string(displayName) }
            if let useLimit, useLimit != 0 { body["num_uses"] = .int(Int64(useLimit)) }
            if let id { body["id"] = .string(id) }
            if let type { body["type"] = .string(type) }
            if orphan { body["no_parent"] = true }
            if noDefaultPolicy { body["no_default_policy"] = true }
            if !metadata.isEmpty {
                var meta: [String: JSONValue] = [:]
                for pair in metadata {
                    guard let separator = pair.firstIndex(of: "=") else {
                        throw fail(
                            "Invalid metadata \(GoQuote.quote(pair)): format must be key=value",
                            code: ExitStatus.usage)
                    }
                    meta[String(pair[..<separator])] = .string(String(pair[pair.index(after: separator)...]))
                }
                body["meta"] = .object(meta)
            }
            return .object(body)
        }

        func run() async throws {
            let body = try body()
            let headers = try wrap.headers()
            let path =
                role.map { "auth/token/create/\($0)" } ?? (orphan ? "auth/token/create-orphan" : "auth/token/create")
            try await global.withClient { cli in
                let response = try await cli.call("Error creating token") {
                    try await cli.client.request("POST", path, body: body, headers: headers)
                }
                try cli.printer.secretOrField(response.json)
            }
        }
    }

    /// `coffer token lookup [token]` / `-accessor <accessor>`.
    struct Lookup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lookup", abstract: "Display information about a token")
        @OptionGroup var global: GlobalOptions
        @Flag(name: .vault("accessor"), help: "Treat the argument as an accessor.") var accessor = false
        @Argument var arguments: [String] = []

        func run() async throws {
            if arguments.count > 1 { try expectArguments(arguments, count: 1) }
            if accessor && arguments.isEmpty { try expectArguments(arguments, count: 1) }
            try await global.withClient { cli in
                let response = try await cli.call("Error looking up token") { () -> VaultResponse in
                    if let value = arguments.first {
                        return accessor
                            ? try await cli.client.request(
                                "POST", "auth/token/lookup-accessor", body: ["accessor": .string(value)])
                            : try await cli.client.request("POST", "auth/token/lookup", body: ["token": .string(value)])
                    }
                    return try await cli.client.request("GET", "auth/token/lookup-self")
                }
                try cli.printer.secretOrField(response.json)
            }
        }
    }

    /// `coffer token renew [-increment=…] [token]` / `-accessor <accessor>`.
    struct Renew: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "renew", abstract: "Renew a token lease")
        @OptionGroup var global: GlobalOptions
        @Option(name: [
            .customLong("increment", withSingleDash: true), .customLong("increment"),
            .customLong("i", withSingleDash: true),
        ])
        var increment: String?
        @Flag(name: .vault("accessor")) var accessor = false
        @Argument var arguments: [String] = []

        func run() async throws {
            if arguments.count > 1 { try expectArguments(arguments, count: 1) }
            if accessor && arguments.isEmpty { try expectArguments(arguments, count: 1) }
            var body: [String: JSONValue] = [:]
            if let increment { body["increment"] = .string(increment) }
            var path = "auth/token/renew-self"
            if let value = arguments.first {
                path = accessor ? "auth/token/renew-accessor" : "auth/token/renew"
                body[accessor ? "accessor" : "token"] = .string(value)
            }
            let request = body
            try await global.withClient { cli in
                let response = try await cli.call("Error renewing token") {
                    try await cli.client.request("PUT", path, body: .object(request))
                }
                try cli.printer.secretOrField(response.json)
            }
        }
    }

    /// `coffer token revoke <token>` / `-self` / `-accessor <accessor>` / `-mode=orphan`.
    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "revoke", abstract: "Revoke a token and its children")
        @OptionGroup var global: GlobalOptions
        @Flag(name: .vault("self")) var revokeSelf = false
        @Flag(name: .vault("accessor")) var accessor = false
        @Option(name: .vault("mode"), help: "Empty (token and children) or orphan (token only).") var mode = ""
        @Argument var arguments: [String] = []

        func run() async throws {
            if revokeSelf && accessor {
                throw fail("Cannot use -self with -accessor!", code: ExitStatus.usage)
            }
            if revokeSelf && !arguments.isEmpty {
                throw fail("Tokens cannot be specified with -self", code: ExitStatus.usage)
            }
            if !revokeSelf { try expectArguments(arguments, count: 1) }
            guard mode.isEmpty || mode == "orphan" else {
                throw fail("Invalid mode: \(mode)", code: ExitStatus.usage)
            }
            let path: String
            var body: JSONValue? = nil
            if revokeSelf {
                path = "auth/token/revoke-self"
            } else if accessor {
                path = "auth/token/revoke-accessor"
                body = ["accessor": .string(arguments[0])]
            } else {
                path = mode == "orphan" ? "auth/token/revoke-orphan" : "auth/token/revoke"
                body = ["token": .string(arguments[0])]
            }
            let request = body
            try await global.withClient { cli in
                _ = try await cli.call("Error revoking token") {
                    try await cli.client.request("PUT", path, body: request)
                }
                Console.output("Success! Revoked token (if it existed)")
            }
        }
    }
}
