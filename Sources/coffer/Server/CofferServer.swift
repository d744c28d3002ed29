import AppRoleAuth
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
import UserpassAuth

/// Boots a Coffer server from ``ServerOptions`` and runs it until SIGINT/SIGTERM.
///
/// Dev mode: in-memory storage, initialised and unsealed, KV v2 at `secret/`, root token printed.
/// Persistent mode: SQLite storage under the barrier; the Shamir seal starts sealed (operator init/unseal), the
/// static seal unseals itself once initialised (docs/seal.md).
public enum CofferServer {
    /// Every backend type users can mount.
    static func catalog(logger: Logger) -> [BackendFactory] {
        let environment = ProcessInfo.processInfo.environment
        for warning in AzureAuthMethod.startupWarnings(environment: environment) { warning.log(to: logger) }
        return KVBackend.factories + [
            AzureAuthMethod.factory(environment: environment, logger: logger) {
                AzureKitServicesFactory(environment: environment, logger: logger, version: CofferVersion.string)
            }
        ] + [UserpassAuthMethod.factory()] + [AppRoleAuthMethod.factory()]
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
        LogLevelControl.shared.level = level
        LoggingSystem.bootstrap { label in
            var handler: any LogHandler =
                json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
            handler.logLevel = .trace  // the wrapper filters, at the level SIGHUP may change
            return ReloadableLevelLogHandler(inner: handler, control: .shared)
        }
        var logger = Logger(label: "coffer")
        logger.logLevel = level
        return logger
    }

    /// `plainHTTP`: -dev serves plain HTTP whatever its default listener says.
    static func coreConfiguration(
        _ config: ServerConfiguration, logger: Logger, storageType: String, plainHTTP: Bool = false
    ) -> CoreConfiguration {
        var core = CoreConfiguration()
        core.defaultLeaseTTL = config.defaultLeaseTTL
        core.maxLeaseTTL = config.maxLeaseTTL
        core.catalog = catalog(logger: logger)
        core.logger = logger
        core.storageType = storageType
        let scheme = !plainHTTP && config.listeners.first?.tlsDisable == false ? "https://" : "http://"
        core.apiAddress = config.apiAddress ?? scheme + config.address
        core.clusterName = config.clusterName
        core.tokenCacheSize = max(1, config.effectiveCacheSize / 4)
        core.persistsExpirationIndex = storageType != "inmem"
        core.metrics = bootstrapMetrics(config)
        return core
    }

    static func runDev(_ config: ServerConfiguration, rootTokenID: String?, started: Date) async throws {
        let logger = try makeLogger(config)
        guard let address = ServerAddress(config.address) else {
            throw ServerStartError("invalid -dev-listen-address \"\(config.address)\" (want host:port)")
        }
        if let rootTokenID, rootTokenID.utf8.contains(UInt8(ascii: ".")) {
            throw ServerStartError("custom token ID cannot have a '.' in the value")
        }
        let core = Core(
            barrier: Barrier(physical: MemoryPhysical()),
            configuration: coreConfiguration(config, logger: logger, storageType: "inmem", plainHTTP: true))
        // As `vault server -dev`: one unseal key share (the key itself), unsealed with it at once.
        let initialized = try await core.initializeSeal(
            SealInitRequest(secretShares: 1, secretThreshold: 1),
            rootTokenID: rootTokenID?.isEmpty == false ? rootTokenID : nil)
        let sealKeyText = Data(initialized.keys[0]).base64EncodedString()
        _ = try await core.submitUnsealKey(sealKeyText)
        let rootToken = initialized.rootToken
        _ = await core.handle(
            CoreRequest(
                operation: .update, path: "sys/mounts/secret",
                data: ["type": "kv", "options": ["version": "2"], "description": "key/value secret storage"],
                token: rootToken))
        storeTokenHelper(rootToken)
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
        try await serve(core: core, address: address, config: config, logger: logger, plainHTTP: true) {
            writeStdout(banner + "\n")
            logger.info("ready", metadata: ["startup_ms": "\(Int(Date().timeIntervalSince(started) * 1000))"])
        } onStop: {
        }
    }

    /// `source` is the static seal's key; nil is the Shamir seal (`CofferServer+Seal.swift`).
    static func runPersistent(_ config: ServerConfiguration, sealKey source: SealKeySource?) async throws {
        let logger = try makeLogger(config)
        guard let address = ServerAddress(config.address) else { throw ServerStartError("invalid listener.address") }
        var coreConfig = coreConfiguration(config, logger: logger, storageType: config.storageType)
        coreConfig.staticSealKey = try loadStaticKey(source)
        let isHA = config.storageType == "postgresql" && config.postgresql.haEnabled
        let advertisement = isHA ? try haAdvertisement(config) : nil
        // `storage "inmem"` keeps nothing across restarts (as Vault's); SQLite or PostgreSQL persist
        // (CofferServer+Storage.swift).
        let opened = try await openStorage(config, logger: logger, metrics: coreConfig.metrics.factory)
        let physical: any PhysicalStorage =
            opened.map {
                config.disableCache ? $0.physical : CachedPhysical($0.physical, capacity: config.effectiveCacheSize)
            }
            ?? MemoryPhysical()
        if let lock = opened?.haLock, let advertisement {
            coreConfig.ha = HAConfiguration(
                lock: lock, advertisement: advertisement, disableForwarding: config.disableForwarding)
        }
        let core = Core(barrier: Barrier(physical: physical), configuration: coreConfig)
        let notice: String
        do {
            notice = try await startSeal(core, config: config, logger: logger)
        } catch {
            await core.seal()
            await opened?.close()
            throw error
        }
        let scheme = config.listeners.first?.tlsDisable == false ? "https" : "http"
        let storage = opened?.label ?? "inmem"
        try await serve(core: core, address: address, config: config, logger: logger) {
            writeStdout("==> Coffer server started on \(scheme)://\(config.address) (storage: \(storage))\n" + notice)
        } onStop: {
            await core.seal()
            await opened?.close()
        }
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
