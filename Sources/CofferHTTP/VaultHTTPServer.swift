import Hummingbird
import HummingbirdCore
import Logging
import NIOCore

/// HTTP/1.1 for the Vault API: Hummingbird's HTTP1 channel with ``ListMethodRewriter`` in front
/// of the parser so `LIST` requests work.
///
/// ```swift
/// let app = Application(responder: responder, server: VaultHTTPServer.http1(), configuration: …)
/// ```
public struct VaultHTTPServer: ServerChildChannel {
    public typealias Value = HTTP1Channel.Value

    let inner: HTTP1Channel

    public func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        do {
            try channel.pipeline.syncOperations.addHandler(ListMethodRewriter())
        } catch {
            return channel.eventLoop.makeFailedFuture(error)
        }
        return inner.setup(channel: channel, logger: logger)
    }

    public func handle(value: Value, logger: Logger) async {
        await inner.handle(value: value, logger: logger)
    }

    public static func http1(idleTimeout: TimeAmount? = .seconds(120)) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            VaultHTTPServer(inner: HTTP1Channel(responder: responder, configuration: .init(idleTimeout: idleTimeout)))
        }
    }
}
