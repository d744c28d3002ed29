import CofferFramework
import Foundation
import Logging
import Synchronization

/// The enabled audit devices and the fan-out to them (docs/audit.md § Fail-closed): every entry is offered to every
/// device, and it counts as recorded when at least one device wrote it. When devices exist and none wrote it, `log`
/// throws and the caller refuses the request with Vault's 500 `internal error`.
///
/// ```swift
/// var record = AuditRecord(id: request.id, operation: .update, path: "sys/seal")
/// try await core.audit.log(record, kind: .request)   // throws LogicalError.internalError when nothing recorded it
/// ```
public final class AuditBroker: Sendable {
    private let devices = Mutex<[AuditDevice]>([])
    private let clock: @Sendable () -> Double
    private let metrics: CofferMetrics
    let logger: Logger

    init(logger: Logger, clock: @escaping @Sendable () -> Double, metrics: CofferMetrics) {
        self.logger = logger
        self.clock = clock
        self.metrics = metrics
    }

    /// Whether any device is enabled; when none is, the pipeline skips auditing entirely.
    public var isEnabled: Bool { devices.withLock { !$0.isEmpty } }

    var all: [AuditDevice] { devices.withLock { $0 } }

    func device(path: String) -> AuditDevice? { devices.withLock { $0.first { $0.entry.path == path } } }

    func add(_ device: AuditDevice) { devices.withLock { $0.append(device) } }

    /// Installs the devices of a freshly loaded table (unseal), closing any left from before.
    func replaceAll(with loaded: [AuditDevice]) async {
        let old = devices.withLock { list -> [AuditDevice] in
            defer { list = loaded }
            return list
        }
        for device in old { await device.sink.close() }
    }

    func remove(path: String) -> AuditDevice? {
        devices.withLock { list in
            guard let index = list.firstIndex(where: { $0.entry.path == path }) else { return nil }
            return list.remove(at: index)
        }
    }

    /// Writes one entry to every device; throws ``LogicalError/internalError`` when devices exist and none wrote it.
    public func log(_ record: AuditRecord, kind: AuditRecord.Kind) async throws {
        let targets = all
        guard !targets.isEmpty else { return }
        let time = RFC3339.string(unixSeconds: clock())
        let started = ContinuousClock.now
        let succeeded: Bool
        if targets.count == 1 {
            // The common case skips the task group: one device, written from this task.
            succeeded = await offer(record, kind: kind, time: time, to: targets[0])
        } else {
            succeeded = await withTaskGroup(of: Bool.self) { group in
                for device in targets {
                    group.addTask { await self.offer(record, kind: kind, time: time, to: device) }
                }
                var any = false
                for await ok in group where ok { any = true }
                return any
            }
        }
        let elapsed = CofferMetrics.milliseconds(since: started)
        switch kind {
        case .request: metrics.auditLogRequest(milliseconds: elapsed, failed: !succeeded)
        case .response: metrics.auditLogResponse(milliseconds: elapsed, failed: !succeeded)
        }
        guard succeeded else {
            logger.error(
                "no audit backend succeeded in logging the \(kind.rawValue)", metadata: ["request_id": "\(record.id)"])
            throw LogicalError.internalError
        }
    }

    /// One device's attempt; failures are logged with the device's path and the sink's reason, never the entry.
    private func offer(_ record: AuditRecord, kind: AuditRecord.Kind, time: String, to device: AuditDevice) async
        -> Bool
    {
        do {
            try await device.sink.write(device.line(record, kind: kind, time: time))
            return true
        } catch {
            logger.error(
                "audit device failed to log the \(kind.rawValue)",
                metadata: ["path": "\(device.entry.path)", "error": "\(error)"])
            return false
        }
    }

    /// Closes and reopens every file device (SIGHUP, log rotation); failures are logged, the server keeps running.
    func reload() async {
        for device in all {
            do {
                try await device.sink.reopen()
            } catch {
                logger.error(
                    "error encountered reloading file audit device at path \"\(device.entry.path)\": \(error)")
            }
        }
    }

    /// Flushes and closes every device and forgets them (seal, shutdown); unseal loads them again.
    func closeAll() async {
        let old = devices.withLock { list -> [AuditDevice] in
            defer { list = [] }
            return list
        }
        for device in old { await device.sink.close() }
    }
}
