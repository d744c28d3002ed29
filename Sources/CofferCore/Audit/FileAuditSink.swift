import Foundation
import NIOPosix
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The `file` device's output: appends lines to a file (created with `mode`, parent directories too), or writes to
/// stdout, or discards them. The blocking system calls run on NIO's thread pool, never on an event loop; lines
/// queued while a write is in flight go out together in the next one (``AuditWriteBatcher``), each line whole.
///
/// ```swift
/// let sink = FileAuditSink(destination: .file(path: "/var/log/coffer/audit.log", mode: 0o600))
/// try await sink.open()             // the enable-time sanity check
/// try await sink.write(Array("{…}\n".utf8))
/// ```
final class FileAuditSink: AuditSink {
    enum Destination: Sendable, Equatable {
        case file(path: String, mode: mode_t)
        case stdout
        case discard
    }

    let destination: Destination
    /// The open descriptor of a `.file` destination (nil until first opened or after a failure), and whether the
    /// device was closed for good: a write still in flight when the device is disabled or the core seals must not
    /// open the file again and leak the descriptor.
    private struct Handle {
        var fd: Int32?
        var closed = false
    }

    private let descriptor = Mutex(Handle())
    private let pool: NIOThreadPool
    /// Lines from concurrent requests share one thread-pool job and one `write(2)` (docs/audit.md § Performance).
    private let batcher: AuditWriteBatcher

    init(destination: Destination, pool: NIOThreadPool = .singleton) {
        self.destination = destination
        self.pool = pool
        self.batcher = AuditWriteBatcher(pool: pool)
    }

    /// Opens the file now, as the enable-time sanity check does; the error names the path and the system's reason.
    func open() async throws {
        guard case .file(let path, let mode) = destination else { return }
        try await pool.runIfActive {
            try self.descriptor.withLock { handle in
                guard !handle.closed else { throw Self.closedError }
                if handle.fd == nil { handle.fd = try Self.openFile(path, mode: mode) }
            }
        }
    }

    func write(_ line: [UInt8]) async throws {
        switch destination {
        case .discard: return
        case .stdout, .file: try await batcher.write(line) { try self.writeNow($0) }
        }
    }

    /// Writes one batch of whole lines (thread pool only). The descriptor lock also keeps stdout lines whole when
    /// something else writes there.
    private func writeNow(_ bytes: [UInt8]) throws {
        switch destination {
        case .discard: return
        case .stdout: try descriptor.withLock { _ in try Self.writeAll(STDOUT_FILENO, bytes) }
        case .file(let path, let mode):
            try descriptor.withLock { handle in
                guard !handle.closed else { throw Self.closedError }
                // A failed write closes the file and tries once more on a fresh descriptor (Vault does the same).
                for attempt in 0..<2 {
                    do {
                        if handle.fd == nil { handle.fd = try Self.openFile(path, mode: mode) }
                        if let fd = handle.fd { try Self.writeAll(fd, bytes) }
                        return
                    } catch {
                        if let fd = handle.fd { _ = Glibc.close(fd) }
                        handle.fd = nil
                        if attempt == 1 { throw error }
                    }
                }
            }
        }
    }

    func reopen() async throws {
        guard case .file(let path, let mode) = destination else { return }
        try await pool.runIfActive {
            try self.descriptor.withLock { handle in
                guard !handle.closed else { return }
                if let fd = handle.fd { _ = Glibc.close(fd) }
                handle.fd = nil
                handle.fd = try Self.openFile(path, mode: mode)
            }
        }
    }

    func close() async {
        let fd = descriptor.withLock { handle -> Int32? in
            defer {
                handle.fd = nil
                handle.closed = true
            }
            return handle.fd
        }
        guard let fd else { return }
        _ = try? await pool.runIfActive { _ = Glibc.close(fd) }
    }

    static let closedError = AuditSinkError(description: "the audit device was closed")

    // MARK: system calls (thread pool only)

    /// Opens for appending; mode 0 keeps the existing file's permissions and requires the file to exist.
    static func openFile(_ path: String, mode: mode_t) throws -> Int32 {
        if mode != 0 {
            let directory = (path as NSString).deletingLastPathComponent
            // Directories get the file's bits plus search permission wherever reading is allowed, or they would
            // be unusable (a 0600 directory cannot be entered).
            let directoryMode = Int16(mode | ((mode & 0o444) >> 2))
            if !directory.isEmpty {
                try FileManager.default.createDirectory(
                    atPath: directory, withIntermediateDirectories: true,
                    attributes: [.posixPermissions: directoryMode])
            }
        }
        let flags = O_WRONLY | O_APPEND | O_CLOEXEC | (mode == 0 ? 0 : O_CREAT)
        let fd = Glibc.open(path, flags, mode)
        guard fd >= 0 else { throw AuditSinkError(description: "open \(path): \(Self.lastError())") }
        if mode != 0, fchmod(fd, mode) != 0 {
            let reason = Self.lastError()
            _ = Glibc.close(fd)
            throw AuditSinkError(description: "chmod \(path): \(reason)")
        }
        return fd
    }

    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Glibc.write(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw AuditSinkError(description: "write: \(lastError())")
            }
            offset += written
        }
    }

    static func lastError() -> String { String(cString: strerror(errno)) }
}
