import AzureAuth
import CofferConfig
import CofferCore
import CofferFramework
import CofferHTTP
import CofferSQLite
import CofferStorage
import Crypto
import Foundation
import Hummingbird
import KVSecrets
import Logging
import ServiceLifecycle

/// Boots a Coffer server from ``ServerOptions`` and runs it until SIGINT/SIGTERM.
///
/// Dev mode: in-memory storage, initialised and unsealed, KV v2 at `secret/`, root token printed.
/// Persistent mode: SQLite storage under the barrier, unlocked by the static seal key; the first
/// start initialises storage and prints the root token once.
public enum CofferServer {
    /// Every backend type users can mount.
    static func catalog(logger: Logger) -> [BackendFactory] {
        let environment = ProcessInfo.processInfo.environment
        for warning in AzureAuthMethod.startupWarnings(environment: environment) { warning.log(to: logger) }
        return KVBackend.factories + [
            AzureAuthMethod.factory(environment: environment, logger: logger) {
                AzureKitServicesFactory(environment: environment, logger: logger, version: CofferVersion.string)
            }
        ]
    }

    /// Resolves `options` against the environment (``ServerLaunch``) and runs the server it describes.
    public static func run(_ options: ServerOptions) async throws {
        let started = Date()
        switch try ServerLaunch.resolve(options, environment: ProcessInfo.processInfo.environment) {
        case .dev(let config, let rootTokenID):
            try await runDev(config, rootTokenID: rootTokenID, started: started)
        case .persistent(let config, let sealKey):
            try await runPersistent(config, sealKey: sealKey)
        }
    }

    static func makeLogger(_ config: ServerConfiguration) throws -> Logger {
        guard
            let level = Logger.Level(
                rawValue: config.logLevel == "warning"
                    ? "warning" : (config.logLevel == "warn" ? "warning" : config.logLevel))
        else {
            throw ServerStartError("unknown log level \"\(config.logLevel)\" (trace, debug, info, warn, error)")
        }
        let json = config.logFormat == "json"
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "coffer")
        logger.logLevel = level
        return logger
    }

    static func coreConfiguration(_ config: ServerConfiguration, logger: Logger, storageType: String)
        -> CoreConfiguration
    {
        var core = CoreConfiguration()
        core.defaultLeaseTTL = config.defaultLeaseTTL
        core.maxLeaseTTL = config.maxLeaseTTL
        core.catalog = catalog(logger: logger)
        core.logger = logger
        core.storageType = storageType
        core.apiAddress = "http://" + config.address
        return core
    }

    static func runDev(_ config: ServerConfiguration, rootTokenID: String?, started: Date) async throws {
        let logger = try makeLogger(config)
        guard let address = ServerAddress(config.address) else {
            throw ServerStartError("invalid -dev-listen-address \"\(config.address)\" (want host:port)")
        }
        if let rootTokenID, rootTokenID.contains(".") {
            throw ServerStartError("custom token ID cannot have a '.' in the value")
        }
        let core = Core(
            barrier: Barrier(physical: MemoryPhysical()),
            configuration: coreConfiguration(config, logger: logger, storageType: "inmem"))
        let sealKey = SymmetricKey(size: .bits256)
        let rootToken = try await core.initialize(
            sealKey: sealKey, rootTokenID: rootTokenID?.isEmpty == false ? rootTokenID : nil)
        _ = await core.handle(
            CoreRequest(
                operation: .update, path: "sys/mounts/secret",
                data: ["type": "kv", "options": ["version": "2"], "description": "key/value secret storage"],
                token: rootToken))
        storeTokenHelper(rootToken)
        let sealKeyText = sealKey.withUnsafeBytes { Data($0).base64EncodedString() }
        let banner = """
            ==> Coffer server configuration:

                         Api Address: http://\(config.address)
                           Log Level: \(config.logLevel)
                             Storage: inmem
                             Version: Coffer v\(CofferVersion.string) (Vault API \(CofferVersion.vaultCompatible))

            ==> Coffer server started! Log data will stream in below:

            WARNING! dev mode is enabled! In this mode, Coffer runs entirely in-memory
            and starts unsealed with a single unseal key. The root token is already
            authenticated to the CLI, so you can immediately begin using Coffer.

            You may need to set the following environment variables:

                $ export VAULT_ADDR='http://\(config.address)'

            The unseal key and root token are displayed below in case you want to
            seal/unseal the Vault or re-authenticate.

            Unseal Key: \(sealKeyText)
            Root Token: \(rootToken)

            Development mode should NOT be used in production installations!

            """
        try await serve(core: core, address: address, config: config, logger: logger) {
            writeStdout(banner + "\n")
            logger.info("ready", metadata: ["startup_ms": "\(Int(Date().timeIntervalSince(started) * 1000))"])
        } onStop: {
        }
    }

    static func runPersistent(_ config: ServerConfiguration, sealKey source: SealKeySource) async throws {
        let logger = try makeLogger(config)
        guard let address = ServerAddress(config.address) else { throw ServerStartError("invalid listener.address") }
        let sealKey: SymmetricKey
        switch source {
        case .file(let file): sealKey = try StaticSealKey.load(file: file)
        case .text(let text): sealKey = try StaticSealKey.parse(text)
        }
        let physical = try await SQLitePhysical.open(path: config.storagePath, logger: logger)
        let core = Core(
            barrier: Barrier(physical: CachedPhysical(physical)),
            configuration: coreConfiguration(config, logger: logger, storageType: "sqlite"))
        if try await core.isInitialized() {
            try await core.unseal(sealKey: sealKey)
            logger.info("storage unsealed", metadata: ["path": "\(config.storagePath)"])
        } else {
            let rootToken = try await core.initialize(sealKey: sealKey)
            writeStdout(
                """
                ==> Coffer initialised new storage at \(config.storagePath).

                Root Token: \(rootToken)

                The root token is shown only this once: store it safely, then revoke it once other
                administrators have tokens (coffer token revoke -self).

                """ + "\n")
        }
        try await serve(core: core, address: address, config: config, logger: logger) {
            writeStdout(
                "==> Coffer server started on http://\(config.address) (storage: sqlite \(config.storagePath))\n")
        } onStop: {
            await core.seal()
            try? await physical.close()
        }
    }

    static func serve(
        core: Core, address: ServerAddress, config: ServerConfiguration, logger: Logger,
        onRunning: @escaping @Sendable () -> Void, onStop: @escaping @Sendable () async -> Void
    ) async throws {
        let responder = VaultResponder(core: core, maxRequestSize: config.maxRequestSize, logger: logger)
        let limits = VaultHTTPServer.Limits(
            maxConnections: config.maxConnections, headTimeout: .seconds(config.readHeaderTimeout))
        let app = Application(
            responder: responder,
            server: VaultHTTPServer.http1(limits: limits),
            configuration: ApplicationConfiguration(
                address: .hostname(address.host, port: address.port), serverName: nil),
            onServerRunning: { _ in onRunning() },
            logger: logger)
        let group = ServiceGroup(
            configuration: .init(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do {
            try await group.run()
        } catch {
            await onStop()
            throw error
        }
        await onStop()
    }

    /// Like `vault server -dev`, the root token goes to the token helper file for the CLI.
    static func storeTokenHelper(_ token: String) {
        guard let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty else { return }
        let path = home + "/.vault-token"
        FileManager.default.createFile(atPath: path, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600])
    }
}

/// Unbuffered, so a supervising process (or test) sees the line at once.
func writeStdout(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}

struct ServerStartError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
