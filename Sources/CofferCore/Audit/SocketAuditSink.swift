import NIOCore
import NIOPosix

/// The `socket` device's output: a TCP, UDP or Unix-domain connection made with NIO on demand. A write that fails
/// or takes longer than `writeTimeout` drops the connection, reconnects and tries once more, as Vault's device does.
/// The actor keeps one connection and hands writes to it in order; each line is one buffer, so lines never mix.
///
/// ```swift
/// let sink = SocketAuditSink(address: "127.0.0.1:9090", kind: .tcp, writeTimeout: .seconds(2))
/// try await sink.write(Array("{…}\n".utf8))
/// ```
actor SocketAuditSink: AuditSink {
    enum Kind: String, Sendable {
        case tcp, udp, unix
    }

    let address: String
    let kind: Kind
    let writeTimeout: TimeAmount
    private let group: any EventLoopGroup
    private var channel: (any Channel)?
    /// Set by `close()`: a write still in flight after the device is disabled must not connect again.
    private var closed = false
    /// For UDP the channel is bound locally and each datagram is addressed to this.
    private var target: SocketAddress?

    init(
        address: String, kind: Kind, writeTimeout: TimeAmount,
        group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.address = address
        self.kind = kind
        self.writeTimeout = writeTimeout
        self.group = group
    }

    func write(_ line: [UInt8]) async throws {
        do {
            try await send(line)
        } catch {
            await drop()
            try await send(line)
        }
    }

    func reopen() async throws {}

    func close() async {
        closed = true
        await drop()
    }

    private func send(_ line: [UInt8]) async throws {
        let channel = try await connected()
        let buffer = channel.allocator.buffer(bytes: line)
        let write: EventLoopFuture<Void>
        if kind == .udp, let target {
            write = channel.writeAndFlush(AddressedEnvelope(remoteAddress: target, data: buffer))
        } else {
            write = channel.writeAndFlush(buffer)
        }
        let timeout = channel.eventLoop.scheduleTask(in: writeTimeout) {
            // Closing fails the pending write, which ends the wait below with an error.
            channel.close(promise: nil)
        }
        defer { timeout.cancel() }
        do {
            try await write.get()
        } catch {
            throw AuditSinkError(description: "write to \(kind.rawValue) \(address) failed: \(error)")
        }
    }

    private func connected() async throws -> any Channel {
        if let channel, channel.isActive { return channel }
        guard !closed else { throw AuditSinkError(description: "the audit device was closed") }
        await drop()
        let made: any Channel
        do {
            made = try await connect()
        } catch {
            throw AuditSinkError(description: "connect to \(kind.rawValue) \(address) failed: \(error)")
        }
        // Another write may have connected while this one awaited (actor reentrancy), or the device was closed:
        // keep a single connection and never one for a closed device.
        if closed || (channel?.isActive ?? false) {
            try? await made.close().get()
            guard !closed, let existing = channel else {
                throw AuditSinkError(description: "the audit device was closed")
            }
            return existing
        }
        channel = made
        return made
    }

    private func connect() async throws -> any Channel {
        let timeout = writeTimeout
        switch kind {
        case .unix:
            return try await ClientBootstrap(group: group).connectTimeout(timeout)
                .connect(unixDomainSocketPath: address).get()
        case .tcp:
            let (host, port) = try Self.split(address)
            return try await ClientBootstrap(group: group).connectTimeout(timeout).connect(host: host, port: port).get()
        case .udp:
            let (host, port) = try Self.split(address)
            // NIO resolves only literal addresses here; a name goes through the thread pool's resolver.
            let resolved: SocketAddress
            if let literal = try? SocketAddress(ipAddress: host, port: port) {
                resolved = literal
            } else {
                resolved = try await NIOThreadPool.singleton.runIfActive {
                    try SocketAddress.makeAddressResolvingHost(host, port: port)
                }
            }
            target = resolved
            let local = resolved.protocol == .inet6 ? "::" : "0.0.0.0"
            return try await DatagramBootstrap(group: group).bind(host: local, port: 0).get()
        }
    }

    private func drop() async {
        guard let old = channel else { return }
        channel = nil
        try? await old.close().get()
    }

    /// `host:port`, with IPv6 hosts in brackets; the port must be a valid number.
    static func split(_ address: String) throws -> (String, Int) {
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw AuditSinkError(description: "invalid address \(address)") }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}
