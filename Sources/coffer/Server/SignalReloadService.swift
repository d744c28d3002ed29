import Logging
import ServiceLifecycle
import UnixSignals

/// Turns each SIGHUP into one ``ReloadCoordinator/reload(logger:)`` run, printing Vault's banner line first,
/// and announces SIGTERM/SIGINT (the ``ServiceGroup`` itself drains the listeners); it stops with the rest of
/// the server on graceful shutdown.
///
/// ```swift
/// let services: [any Service] = [app, SignalReloadService(coordinator: coordinator, logger: logger)]
/// ```
///
/// Reloads run one after another on this service's task, never concurrently.
struct SignalReloadService: Service {
    let coordinator: ReloadCoordinator
    let logger: Logger

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup, .sigterm, .sigint)
        for await signal in signals.cancelOnGracefulShutdown() {
            guard signal == .sighup else {
                if !coordinator.markShutdownRequested() { writeStdout("==> Coffer shutdown triggered\n") }
                continue
            }
            writeStdout("==> Coffer reload triggered\n")
            let failed = await coordinator.reload(logger: logger)
            if failed.isEmpty {
                logger.info("reload complete")
            } else {
                logger.warning("reload finished with errors", metadata: ["failed": "\(failed.joined(separator: ", "))"])
            }
        }
    }
}
