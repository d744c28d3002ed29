/// Where an audit device's lines go: a file, stdout, nowhere, or a socket. Each `write` takes one whole entry line
/// and either delivers all of it or throws; implementations keep concurrent writes from interleaving.
///
/// ```swift
/// let sink: any AuditSink = FileAuditSink(destination: .discard)
/// try await sink.write(Array("{}\n".utf8))
/// ```
protocol AuditSink: Sendable {
    /// Delivers one complete line, retrying once after reconnecting or reopening.
    func write(_ line: [UInt8]) async throws
    /// Closes and reopens what the sink writes to (log rotation on SIGHUP); a no-op for sockets.
    func reopen() async throws
    /// Flushes and releases the file or connection.
    func close() async
}
