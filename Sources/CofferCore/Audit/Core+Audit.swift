import CofferFramework
import CofferStorage
import Foundation
import NIOCore

/// The audit table: enabling, disabling, listing and hashing (docs/audit.md), kept in `core/audit` like the mount
/// table and rebuilt into live devices at unseal.
extension Core {
    static let auditTableKey = "core/audit"

    /// `file/` from `file`, `/file/` or `file/`; empty stays empty.
    static func auditPath(_ raw: String) -> String {
        var path = Substring(raw)
        while path.hasPrefix("/") { path = path.dropFirst() }
        guard !path.isEmpty else { return "" }
        return path.hasSuffix("/") ? String(path) : path + "/"
    }

    /// The devices as `sys/audit` lists them, keyed by path.
    func auditTable() -> [String: JSONValue] {
        var table: [String: JSONValue] = [:]
        for device in audit.all { table[device.entry.path] = .object(device.entry.info()) }
        return table
    }

    func enableAudit(path rawPath: String, data: [String: JSONValue]) async throws {
        let path = Self.auditPath(rawPath)
        guard !path.isEmpty else { throw LogicalError.badRequest("backend path must be specified") }
        let options = try Self.auditOptions(data["options"])
        let local: Bool
        switch data["local"] {
        case nil, .null?: local = false
        case .bool(let value)?: local = value
        default: local = try AuditFormatOptions.bool(data["local"]?.stringValue ?? "", default: false)
        }
        try await mountLock.withLock {
            let existing = self.audit.all.map(\.entry)
            if existing.contains(where: { path.hasPrefix($0.path) || $0.path.hasPrefix(path) }) {
                throw LogicalError.badRequest("path already in use")
            }
            let entry = AuditDeviceEntry(
                path: path, type: data["type"]?.stringValue ?? "", description: data["description"]?.stringValue ?? "",
                options: options, local: local, uuid: Hex.uuid())
            let salt = Hex.uuid()
            let device = try self.makeAuditDevice(entry, salt: salt)
            if let file = device.sink as? FileAuditSink {
                do {
                    try await file.open()
                } catch {
                    throw LogicalError.badRequest(
                        "sanity check failed; unable to open \"\(options["file_path"] ?? options["path"] ?? "")\" for writing: \(error)"
                    )
                }
            }
            if options["skip_test"] != "true" { try await self.testAuditDevice(device) }
            try await self.barrier.put(entry.saltKey, value: Array(salt.utf8))
            try await self.barrier.putJSON(Self.auditTableKey, existing + [entry])
            self.audit.add(device)
        }
        logger.info(
            "enabled audit backend", metadata: ["path": "\(path)", "type": "\(data["type"]?.stringValue ?? "")"])
    }

    func disableAudit(path rawPath: String) async throws {
        let path = Self.auditPath(rawPath)
        guard !path.isEmpty else { throw LogicalError.badRequest("audit device path must be specified") }
        let removed = try await mountLock.withLock { () -> AuditDevice? in
            guard let device = self.audit.remove(path: path) else { return nil }
            try await self.barrier.putJSON(Self.auditTableKey, self.audit.all.map(\.entry))
            try await self.barrier.delete(device.entry.saltKey)
            return device
        }
        guard let removed else { return }
        await removed.sink.close()
        logger.info("disabled audit backend", metadata: ["path": "\(path)"])
    }

    func auditHash(path rawPath: String, input: String) throws -> String {
        guard !input.isEmpty else { throw LogicalError.badRequest("the \"input\" parameter is empty") }
        let path = Self.auditPath(rawPath)
        guard let device = audit.device(path: path) else {
            throw LogicalError.badRequest("unknown audit backend \(GoQuote.quote(path))")
        }
        return device.hash(input)
    }

    /// Rebuilds the devices of the persisted table (unseal). A device that cannot be built fails the unseal, as in
    /// Vault: serving without the configured audit trail would be worse.
    func loadAuditDevices() async throws {
        let entries = try await barrier.getJSON([AuditDeviceEntry].self, Self.auditTableKey) ?? []
        var loaded: [AuditDevice] = []
        for entry in entries {
            var salt = try await barrier.get(entry.saltKey).map { String(decoding: $0, as: UTF8.self) } ?? ""
            if salt.isEmpty {
                salt = Hex.uuid()
                try await barrier.put(entry.saltKey, value: Array(salt.utf8))
            }
            loaded.append(try makeAuditDevice(entry, salt: salt))
        }
        await audit.replaceAll(with: loaded)
    }

    /// Closes and reopens every file audit device, for log rotation (SIGHUP). Errors are logged; nothing throws.
    public func reloadAuditDevices() async {
        await audit.reload()
    }

    /// Flushes and closes every audit device (shutdown). Entries are written through on each request, so this only
    /// releases files and connections; a later unseal opens them again.
    public func flushAudit() async {
        await audit.closeAll()
    }

    /// The enable-time test entry, hashed with a throw-away salt so nothing about the real salt leaks.
    func testAuditDevice(_ device: AuditDevice) async throws {
        let probe = AuditDevice(entry: device.entry, format: device.format, salt: Hex.uuid(), sink: device.sink)
        let record = AuditRecord(id: Hex.uuid(), operation: .update, path: "sys/audit/test")
        do {
            try await probe.sink.write(probe.line(record, kind: .request, time: RFC3339.string(unixSeconds: now)))
        } catch {
            throw LogicalError.badRequest("audit backend failed test message: \(error)")
        }
    }
}
