import ArgumentParser
import CofferClient
import Foundation

/// `coffer login [token]`: checks a token with `lookup-self` and stores it in `~/.vault-token`;
/// `coffer login -method=azure role=<r> …` logs in with this machine's Azure managed identity.
///
/// ```sh
/// coffer login hvs.abc…        # or: echo hvs.abc… | coffer login -
/// coffer login -method=azure role=web client_id=f0e1d2c3-…
/// coffer login -method=userpass username=alice   # asks for the password
/// ```
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "login", abstract: "Authenticate locally")

    @OptionGroup var global: GlobalOptions

    @Option(
        name: .vault("method"),
        help: "Auth method: token, azure or userpass (use `coffer write auth/<m>/login` for others).")
    var method = "token"

    @Flag(name: .vault("no-store"), help: "Do not store the token in the token helper.")
    var noStore = false

    @Argument(
        help:
            "The token, `-` to read it from stdin, or token=<value>; with -method=azure: role=<r> [mount=azure] [resource=…] [client_id=…|object_id=…|msi_res_id=…] [jwt=…]; with -method=userpass: username=<u> [password=<p>] [mount=userpass]."
    )
    var arguments: [String] = []

    func run() async throws {
        switch method {
        case "token": try await tokenLogin()
        case "azure": try await azureLogin()
        case "userpass": try await userpassLogin()
        case "approle": try await appRoleLogin()
        default:
            throw fail(
                "Unknown auth method: \(method). Use \"coffer auth list\" to see the complete list of auth methods. Additionally, some auth methods are only available via the HTTP API.",
                code: ExitStatus.usage)
        }
    }

    private func tokenLogin() async throws {
        let token = try readToken()
        try await global.withClient { cli in
            let lookup: VaultResponse
            do {
                lookup = try await cli.client.request(
                    "GET", "auth/token/lookup-self", headers: ["X-Vault-Token": token])
            } catch {
                throw fail("Error authenticating: error looking up token: \(error)")
            }
            try finish(Self.loginEnvelope(token: token, lookup: lookup.data ?? [:]), cli: cli)
        }
    }

    /// `-method=azure`: the managed identity of this machine or workload, see ``AzureLoginArguments``.
    private func azureLogin() async throws {
        let azure: AzureAuthLogin
        do {
            azure = try AzureLoginArguments.parse(arguments).method()
        } catch {
            throw fail("Error authenticating: \(error)", code: ExitStatus.usage)
        }
        try await global.withClient { cli in
            let answer: VaultResponse
            do {
                answer = try await azure.login(using: cli.client)
            } catch {
                throw fail("Error authenticating: \(error)")
            }
            guard answer.authInfo != nil, let json = answer.json else {
                throw fail("Error authenticating: the login answer carries no client token")
            }
            try finish(json, cli: cli)
        }
    }

    /// Stores the token (unless `-no-store`) and prints the answer like `vault login`.
    func finish(_ envelope: JSONValue, cli: CLIContext) throws {
        if !noStore, let token = envelope["auth"]?["client_token"]?.stringValue {
            do {
                try TokenHelper().store(token)
            } catch {
                throw fail("Error storing token: \(error)")
            }
        }
        if ProcessInfo.processInfo.environment["VAULT_TOKEN"].nonEmpty != nil {
            Console.error(
                Console.wrap(
                    "WARNING! The VAULT_TOKEN environment variable is set! The value of this variable will take precedence; if this is unwanted please unset VAULT_TOKEN or update its value accordingly."
                ) + "\n")
        }
        if let field = cli.printer.field {
            try cli.printer.rawField(Printer.rawField(in: envelope, named: field), named: field)
            return
        }
        if cli.printer.isTable {
            let text =
                noStore
                ? "Success! You are now authenticated. The token information below is displayed for you to use; it was not stored in the token helper. Set the VAULT_TOKEN environment variable or pass the token with each request."
                : "Success! You are now authenticated. The token information displayed below is already stored in the token helper. You do NOT need to run \"coffer login\" again. Future requests will automatically use this token."
            Console.output(Console.wrap(text) + "\n")
        }
        cli.printer.secret(envelope)
    }

    private func readToken() throws -> String {
        var value: String
        switch arguments.count {
        case 0:
            FileHandle.standardError.write(Data("Token (will be hidden): ".utf8))
            value = readLine(strippingNewline: true) ?? ""
        case 1:
            value = arguments[0]
            if value == "-" {
                value = String(decoding: Console.readStandardInput(), as: UTF8.self)
            } else if value.hasPrefix("token=") {
                value = String(value.dropFirst("token=".count))
            }
        default:
            throw fail("Too many arguments (expected 1, got \(arguments.count))", code: ExitStatus.usage)
        }
        value = value.trimmed
        guard !value.isEmpty else {
            throw fail(
                "Error authenticating: a token must be passed to auth, please view the help for more information",
                code: ExitStatus.usage)
        }
        return value
    }

    /// The `auth` block Vault's token method builds from `lookup-self` data.
    static func loginEnvelope(token: String, lookup: [String: JSONValue]) -> JSONValue {
        let tokenPolicies = lookup["policies"]?.stringArray ?? []
        let identityPolicies = lookup["identity_policies"]?.stringArray ?? []
        let auth: [String: JSONValue] = [
            "client_token": lookup["id"]?.stringValue.map(JSONValue.string) ?? .string(token),
            "accessor": lookup["accessor"] ?? "",
            "policies": .array((tokenPolicies + identityPolicies).map(JSONValue.string)),
            "token_policies": .array(tokenPolicies.map(JSONValue.string)),
            "identity_policies": identityPolicies.isEmpty ? .null : .array(identityPolicies.map(JSONValue.string)),
            "metadata": lookup["meta"] ?? .null,
            "orphan": lookup["orphan"] ?? false,
            "entity_id": lookup["entity_id"] ?? "",
            "lease_duration": lookup["ttl"] ?? 0,
            "renewable": lookup["renewable"] ?? false,
            "mfa_requirement": .null,
        ]
        return .object(["auth": .object(auth)])
    }
}
