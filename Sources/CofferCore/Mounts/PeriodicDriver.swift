import CofferFramework
import CofferStorage
import Logging
import Synchronization

/// Runs each mounted backend's periodic work (``PeriodicBackend``) on a timer: one task per mount, started when the
/// mount is loaded at unseal or enabled, stopped when it is disabled, rebuilt or sealed. A pass runs only while
/// the `isActive` given at start says this node is the active one (``Core/runsPeriodicWork``); when it answers nil
/// (the core is gone) the timer ends.
///
/// ```swift
/// let driver = PeriodicDriver(defaultInterval: .seconds(60), logger: logger)
/// driver.start(route) { [weak core] in core?.runsPeriodicWork }   // first pass at once, then `interval` after each
/// await driver.stop(mountUUID: uuid)   // returns once a pass in flight has ended
/// await driver.stopAll()                // seal
/// ```
final class PeriodicDriver: Sendable {
    let defaultInterval: Duration
    let logger: Logger
    private let tasks = Mutex<[String: Task<Void, Never>]>([:])

    init(defaultInterval: Duration, logger: Logger) {
        self.defaultInterval = defaultInterval
        self.logger = logger
    }

    /// Starts (or restarts) the timer of a route whose backend has periodic work.
    func start(_ route: RouteEntry, isActive: @escaping @Sendable () -> Bool?) {
        guard let backend = route.backend as? any PeriodicBackend, backend.hasPeriodicWork else {
            tasks.withLock { $0.removeValue(forKey: route.mount.uuid) }?.cancel()
            return
        }
        tasks.withLock { tasks in
            let old = tasks[route.mount.uuid]
            old?.cancel()
            tasks[route.mount.uuid] = Task { [storage = route.storage, path = route.mount.routePrefix] in
                // A rebuilt backend's first pass waits for the old backend's pass in flight, so two never overlap.
                await old?.value
                await self.run(backend, storage: storage, path: path, isActive: isActive)
            }
        }
    }

    /// Cancels the mount's timer and waits for a pass in flight, so nothing writes to the mount's storage after.
    func stop(mountUUID: String) async {
        guard let task = tasks.withLock({ $0.removeValue(forKey: mountUUID) }) else { return }
        task.cancel()
        await task.value
    }

    /// Cancels every timer (seal) and waits for the passes in flight.
    func stopAll() async {
        let all = tasks.withLock { tasks in
            defer { tasks.removeAll() }
            return Array(tasks.values)
        }
        for task in all { task.cancel() }
        for task in all { await task.value }
    }

    private func run(
        _ backend: any PeriodicBackend, storage: any Storage, path: String, isActive: @Sendable () -> Bool?
    ) async {
        let interval = backend.periodicInterval ?? defaultInterval
        while !Task.isCancelled {
            guard let active = isActive() else { return }
            if active {
                do {
                    try await backend.periodic(storage: storage)
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("periodic function failed", metadata: ["path": "\(path)", "error": "\(error)"])
                }
            }
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }
}
