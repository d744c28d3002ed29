import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// HTTP/1.1 for the Vault API: Hummingbird's HTTP1 channel with ``ListMethodRewriter`` in front
/// of the parser so `LIST` requests work, a deadline for each request head, and a cap on open connections.
/// With a ``TLSContextHolder`` a `NIOSSLServerHandler` goes first, built from the holder's context at accept
/// time, so a SIGHUP reload reaches new connections without touching open ones.
///
/// ```swift
/// let app = Application(responder: responder, server: VaultHTTPServer.http1(), configuration: …)
/// let limited = VaultHTTPServer.http1(limits: .init(maxConnections: 512, headTimeout: .seconds(5)))
/// let tls = VaultHTTPServer.http1(tls: try TLSContextHolder(settings: settings))
/// ```
///
/// The head deadline runs from the connection's start until the first request head, so it also bounds
/// a TLS handshake that never completes.
public struct VaultHTTPServer: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value

    /// What one listener allows.
    public struct Limits: Sendable {
        /// Open connections at once; a connection past the cap is closed as soon as it is accepted.
        public var maxConnections: Int
        /// From a request head's first byte to its end (Vault's `http_read_header_timeout`, 10 s).
        public var headTimeout: TimeAmount
        /// A keep-alive connection with no traffic is closed after this.
        public var idleTimeout: TimeAmount?

        public init(
            maxConnections: Int = 4096, headTimeout: TimeAmount = .seconds(10), idleTimeout: TimeAmount? = .seconds(120)
        ) {
            self.maxConnections = maxConnections
            self.headTimeout = headTimeout
            self.idleTimeout = idleTimeout
        }
    }

    let inner: HTTP1Channel
    let limits: Limits
    let openConnections: OpenConnections
    let tls: TLSContextHolder?

    /// Counts the listener's open connections; shared by every child channel the listener accepts.
    final class OpenConnections: Sendable {
        let count = Atomic<Int>(0)
    }

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let open = openConnections.count.wrappingAdd(1, ordering: .relaxed).newValue
        channel.closeFuture.whenComplete { [openConnections] _ in
            openConnections.count.wrappingSubtract(1, ordering: .relaxed)
        }
        guard open <= limits.maxConnections else {
            logger.warning("connection refused: listener.max_connections reached", metadata: ["open": "\(open - 1)"])
            channel.close(promise: nil)
            return channel.eventLoop.makeFailedFuture(ChannelError.ioOnClosedChannel)
        }
        do {
            if let tls {
                try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.current))
            }
            try channel.pipeline.syncOperations.addHandler(ListMethodRewriter(headTimeout: limits.headTimeout))
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    public func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }

    /// Plain HTTP/1.1, or HTTPS when `tls` is given.
    public static func http1(limits: Limits = Limits(), tls: TLSContextHolder? = nil) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            VaultHTTPServer(
                inner: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: limits.idleTimeout)),
                limits: limits, openConnections: OpenConnections(), tls: tls)
        }
    }
}
