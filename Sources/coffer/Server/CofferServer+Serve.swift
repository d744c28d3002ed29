import CofferConfig
import CofferCore
import CofferHTTP
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import Synchronization

extension CofferServer {
    /// This process's command line, so SIGHUP can re-read the configuration the way the start did.
    @TaskLocal static var launchOptions: ServerOptions?

    /// Serves `core` on every configured listener until SIGTERM/SIGINT, then drains and stops.
    ///
    /// TLS follows each listener's `tls_*` keys (refusing to start without both files unless `tls_disable`);
    /// `plainHTTP` is `-dev`'s plain loopback listener. SIGHUP runs `reload` (TLS certificates, the log level and
    /// the audit files are registered here; callers may add theirs). On SIGTERM the listeners stop accepting, requests in flight get
    /// up to `shutdown_grace_period` seconds, then `reload`'s shutdown actions and `onStop` run (docs/tls.md).
    static func serve(
        core: Core, address: ServerAddress, config: ServerConfiguration, logger: Logger, plainHTTP: Bool = false,
        reload: ReloadCoordinator = ReloadCoordinator(),
        onRunning: @escaping @Sendable () -> Void, onStop: @escaping @Sendable () async -> Void
    ) async throws {
        let listeners: [Listener]
        // One connection pool to the active node for every listener of a standby (docs/ha.md § Forwarding).
        let forwarder = StandbyForwarder(logger: logger)
        do {
            listeners = try makeListeners(
                core: core, firstAddress: address, config: config, plainHTTP: plainHTTP, forwarder: forwarder,
                logger: logger)
        } catch {
            await onStop()  // storage is already open: close it before refusing to start
            throw error
        }
        registerReloads(listeners: listeners, reload: reload, logger: logger)
        reload.onReload("audit files") { await core.reloadAuditDevices() }
        reload.onShutdown("audit flush") { await core.flushAudit() }
        reload.onShutdown("standby forwarder") { await forwarder.shutdown() }
        let running = Atomic<Int>(0)
        let apps = listeners.map { listener in
            Application(
                responder: listener.responder,
                server: VaultHTTPServer.http1(limits: listener.limits, tls: listener.tls),
                configuration: ApplicationConfiguration(
                    address: .hostname(listener.address.host, port: listener.address.port), serverName: nil),
                onServerRunning: { _ in
                    if running.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == listeners.count {
                        onRunning()
                    }
                },
                logger: logger)
        }
        // The signal service comes first so it is shut down last: the listeners drain before it stops.
        var services: [any Service] = [SignalReloadService(coordinator: reload, logger: logger)]
        services += apps.map { $0 as any Service }
        var configuration = ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(max(config.shutdownGracePeriod, 0))
        let outcome: Result<Void, any Error>
        do {
            try await ServiceGroup(configuration: configuration).run()
            outcome = .success(())
        } catch {
            outcome = .failure(error)
        }
        await reload.shutdown(logger: logger)
        await onStop()
        if case .failure(let error) = outcome, !reload.shutdownRequested {
            throw error
        } else if case .failure(let error) = outcome {
            // Past the grace period the remaining connections are cancelled; that is the shutdown working.
            logger.info("shutdown ended requests still in flight", metadata: ["reason": "\(error)"])
        }
    }

    /// One listener's parts, built before anything binds so a bad TLS file stops the start.
    struct Listener {
        let address: ServerAddress
        let responder: VaultResponder
        let limits: VaultHTTPServer.Limits
        let tls: TLSContextHolder?
    }

    static func makeListeners(
        core: Core, firstAddress: ServerAddress, config: ServerConfiguration, plainHTTP: Bool,
        forwarder: StandbyForwarder, logger: Logger
    ) throws -> [Listener] {
        let configured = config.listeners.isEmpty ? [ListenerConfiguration()] : config.listeners
        return try configured.enumerated().map { index, listener in
            let address: ServerAddress
            if index == 0 {
                address = firstAddress
            } else if let parsed = ServerAddress(listener.address) {
                address = parsed
            } else {
                throw ServerStartError("invalid listener address \"\(listener.address)\" (want host:port)")
            }
            let tls = try plainHTTP ? nil : listener.tlsSettings().map { try TLSContextHolder(settings: $0) }
            return Listener(
                address: address,
                responder: VaultResponder(
                    core: core, maxRequestSize: listener.maxRequestSize, logger: logger,
                    unauthenticatedMetricsAccess: listener.unauthenticatedMetricsAccess, forwarder: forwarder),
                limits: VaultHTTPServer.Limits(
                    maxConnections: listener.maxConnections, headTimeout: .seconds(listener.readHeaderTimeout)),
                tls: tls)
        }
    }

    /// SIGHUP: each TLS listener re-reads its pair (a bad pair keeps the old one); the log level is re-read
    /// from the configuration as the start read it (flag and environment still win).
    static func registerReloads(listeners: [Listener], reload: ReloadCoordinator, logger: Logger) {
        for listener in listeners {
            guard let tls = listener.tls else { continue }
            reload.onReload("TLS certificate of listener \(listener.address.host):\(listener.address.port)") {
                try tls.reload()
                logger.info(
                    "TLS certificate reloaded", metadata: ["tls_cert_file": "\(tls.settings.certificateFile)"])
            }
        }
        guard let options = launchOptions, !options.dev else { return }
        reload.onReload("log level") {
            let environment = ProcessInfo.processInfo.environment
            let level = try reloadedLogLevel(options: options, environment: environment)
            LogLevelControl.shared.level = level
            logger.info("log level set", metadata: ["log_level": "\(level)"])
        }
    }

    static func reloadedLogLevel(options: ServerOptions, environment: [String: String]) throws -> Logger.Level {
        let text: String
        switch try ServerLaunch.resolve(options, environment: environment) {
        case .dev(let config, _): text = config.logLevel
        case .persistent(let config, _): text = config.logLevel
        }
        guard let level = LogLevelControl.parse(text) else {
            throw ServerStartError("unknown log level \"\(text)\" (trace, debug, info, warn, error)")
        }
        return level
    }
}
