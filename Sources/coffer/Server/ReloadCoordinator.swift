import Logging
import Synchronization

/// What SIGHUP and SIGTERM do besides the listener itself: named async actions registered by the parts of
/// the server that own something to reload (TLS certificates, the log level, audit files) or to finish
/// before the process exits (audit flush). A failing action is logged by name and the others still run,
/// as Vault keeps serving when one reload function fails.
///
/// ```swift
/// let coordinator = ReloadCoordinator()
/// coordinator.onReload("audit files") { await core.reloadAuditDevices() }
/// coordinator.onShutdown("audit flush") { await core.flushAudit() }
/// await coordinator.reload(logger: logger)      // what SIGHUP runs
/// ```
final class ReloadCoordinator: Sendable {
    typealias Action = @Sendable () async throws -> Void

    private struct Entry {
        let name: String
        let action: Action
    }

    private let reloadActions = Mutex<[Entry]>([])
    private let shutdownActions = Mutex<[Entry]>([])
    private let shutdownFlag = Atomic<Bool>(false)

    init() {}

    /// Runs `action` on every SIGHUP, after the actions registered before it.
    func onReload(_ name: String, _ action: @escaping Action) {
        reloadActions.withLock { $0.append(Entry(name: name, action: action)) }
    }

    /// Runs `action` once when the listener has drained after SIGTERM/SIGINT, before the core is sealed.
    func onShutdown(_ name: String, _ action: @escaping Action) {
        shutdownActions.withLock { $0.append(Entry(name: name, action: action)) }
    }

    /// Whether SIGTERM/SIGINT arrived: the server's end is then an orderly one, even if the grace period ran
    /// out and requests were cancelled.
    var shutdownRequested: Bool { shutdownFlag.load(ordering: .acquiring) }

    /// Records the shutdown signal; returns whether it had already been recorded.
    @discardableResult
    func markShutdownRequested() -> Bool {
        shutdownFlag.exchange(true, ordering: .acquiringAndReleasing)
    }

    /// Every reload action in registration order; returns the names of those that failed.
    @discardableResult
    func reload(logger: Logger) async -> [String] {
        await run(reloadActions.withLock { $0 }, phase: "reload", logger: logger)
    }

    /// Every shutdown action in registration order; returns the names of those that failed.
    @discardableResult
    func shutdown(logger: Logger) async -> [String] {
        await run(shutdownActions.withLock { $0 }, phase: "shutdown", logger: logger)
    }

    private func run(_ entries: [Entry], phase: String, logger: Logger) async -> [String] {
        var failed: [String] = []
        for entry in entries {
            do {
                try await entry.action()
            } catch {
                failed.append(entry.name)
                logger.error("\(phase) of \(entry.name) failed: \(error)")
            }
        }
        return failed
    }
}
