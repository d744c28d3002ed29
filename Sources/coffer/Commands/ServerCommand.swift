import ArgumentParser
import CofferConfig
import Foundation

/// `coffer server`: parses Vault's server flags into ``ServerOptions`` and runs the server. Its help ends
/// with the configuration reference and the environment variables, generated from the declarations the
/// reader uses (``ServerConfiguration/schema``, ``ServerEnvironmentVariable/all``).
///
/// ```sh
/// coffer server -dev -dev-root-token-id=root -dev-listen-address=127.0.0.1:8200
/// coffer server -config=/etc/coffer/config.hcl -config=/etc/coffer/conf.d -log-level=info
/// coffer server -help
/// ```
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Start a Coffer server", discussion: discussion)

    @Flag(name: .vault("dev"), help: "In-memory, unsealed server with a root token and KV v2 at secret/.")
    var dev = false

    @Option(name: .vault("dev-root-token-id"), help: "Root token id in dev mode (VAULT_DEV_ROOT_TOKEN_ID).")
    var devRootTokenID: String?

    @Option(
        name: .vault("dev-listen-address"),
        help: "Listen address in dev mode (VAULT_DEV_LISTEN_ADDRESS), default 127.0.0.1:8200.")
    var devListenAddress: String?

    @Option(
        name: .vault("config"),
        help: "A configuration file or directory (*.hcl, *.json); repeat to merge several (keys listed above).")
    var config: [String] = []

    @Option(name: .vault("log-level"), help: "trace, debug, info, warn or error (VAULT_LOG_LEVEL).")
    var logLevel: String?

    @Option(name: .vault("log-format"), help: "standard or json (VAULT_LOG_FORMAT).")
    var logFormat: String?

    /// The flags as given; environment fallbacks are ``ServerLaunch``'s job.
    func options() throws -> ServerOptions {
        var options = ServerOptions()
        options.dev = dev
        options.devRootTokenID = devRootTokenID
        options.devListenAddress = devListenAddress
        options.configPaths = config
        options.logLevel = logLevel
        options.logFormat = logFormat
        if !options.dev && options.configPaths.isEmpty {
            throw fail("At least one config path must be specified with -config", code: ExitStatus.usage)
        }
        return options
    }

    func run() async throws {
        let options = try options()
        do {
            try await CofferServer.$launchOptions.withValue(options) { try await CofferServer.run(options) }
        } catch {
            throw fail("Error starting the server: \(error)", code: ExitStatus.usage)
        }
    }

    /// The configuration reference and environment variables, as README.md's tables show them.
    static var discussion: String {
        let variables = ServerEnvironmentVariable.all.map { variable in
            ConfigHelpRow(path: variable.name, type: variable.overrides, defaultValue: "", doc: variable.doc)
        }
        return """
            Configuration (-config=<file or directory>, repeatable): Vault's HCL or JSON format, files merged in \
            order (later values win, listeners add up, one storage stanza in all). Unknown keys and bad values \
            are refused with file, line and key. Durations are seconds (3600) or Go duration strings ("1h"); \
            booleans true/false or "true"/"false". Details: docs/configuration.md.

            \(ConfigHelpRow.listing(ServerConfiguration.helpRows))

            Environment (a flag wins over its variable, the variable over the file; empty counts as unset). The \
            static seal's key is read from the variable named by key_env when key_file is unset.

            \(ConfigHelpRow.listing(variables))
            """
    }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
