import ArgumentParser
import Foundation

/// `coffer server`: parses Vault's server flags into ``ServerOptions`` and runs the server.
///
/// ```sh
/// coffer server -dev -dev-root-token-id=root -dev-listen-address=127.0.0.1:8200
/// coffer server -config=/etc/coffer.json -log-level=info
/// ```
struct ServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "server", abstract: "Start a Coffer server")

    @Flag(name: .vault("dev"), help: "In-memory, unsealed server with a root token and KV v2 at secret/.")
    var dev = false

    @Option(name: .vault("dev-root-token-id"), help: "Root token id in dev mode (VAULT_DEV_ROOT_TOKEN_ID).")
    var devRootTokenID: String?

    @Option(
        name: .vault("dev-listen-address"),
        help: "Listen address in dev mode (VAULT_DEV_LISTEN_ADDRESS), default 127.0.0.1:8200.")
    var devListenAddress: String?

    @Option(name: .vault("config"), help: "Path to the server configuration file.")
    var config: String?

    @Option(name: .vault("log-level"), help: "trace, debug, info, warn or error (VAULT_LOG_LEVEL).")
    var logLevel: String?

    @Option(name: .vault("log-format"), help: "text or json (VAULT_LOG_FORMAT).")
    var logFormat: String?

    func options(environment: [String: String]) throws -> ServerOptions {
        var options = ServerOptions()
        options.dev = dev
        options.devRootTokenID = devRootTokenID ?? environment["VAULT_DEV_ROOT_TOKEN_ID"].nonEmpty
        options.devListenAddress = devListenAddress ?? environment["VAULT_DEV_LISTEN_ADDRESS"].nonEmpty
        options.configPath = config
        options.logLevel = logLevel ?? environment["VAULT_LOG_LEVEL"].nonEmpty
        options.logFormat = logFormat ?? environment["VAULT_LOG_FORMAT"].nonEmpty
        if !options.dev && options.configPath == nil {
            throw fail("At least one config path must be specified with -config", code: ExitStatus.usage)
        }
        return options
    }

    func run() async throws {
        let options = try options(environment: ProcessInfo.processInfo.environment)
        do {
            try await CofferServer.run(options)
        } catch {
            throw fail("Error starting the server: \(error)", code: ExitStatus.usage)
        }
    }
}

extension Optional where Wrapped == String {
    var nonEmpty: String? {
        guard let self, !self.isEmpty else { return nil }
        return self
    }
}
