import CofferHTTP
import Hummingbird
import Logging

/// A Hummingbird application on `127.0.0.1` (port chosen by the kernel) with Coffer's HTTP/1 channel, run in a
/// task until ``stop()``: how tests and the login benchmark serve a responder over real loopback HTTP.
///
/// ```swift
/// let server = try await LoopbackServer.start(responder: VaultResponder(core: core, logger: logger), logger: logger)
/// print(server.url)          // http://127.0.0.1:PORT
/// await server.stop()
/// let https = try await LoopbackServer.start(responder: responder, tls: try TLSContextHolder(settings: settings),
///                                            logger: logger)   // https://127.0.0.1:PORT
/// ```
public struct LoopbackServer: Sendable {
    /// The application ended before it reported a listening port.
    public struct NotListening: Error {}

    public let port: Int
    /// `https` when started with a TLS context holder.
    public let scheme: String
    private let task: Task<Void, any Error>

    public var url: String { "\(scheme)://127.0.0.1:\(port)" }

    public static func start<Responder: HTTPResponder>(
        responder: Responder, tls: TLSContextHolder? = nil, limits: VaultHTTPServer.Limits = .init(), logger: Logger
    ) async throws
        -> LoopbackServer
    where Responder.Context == CofferRequestContext {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let app = Application(
            responder: responder,
            server: VaultHTTPServer.http1(limits: limits, tls: tls),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                continuation.yield(channel.localAddress?.port ?? 0)
                continuation.finish()
            },
            logger: logger)
        let task = Task {
            defer { continuation.finish() }
            try await app.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            try await task.value
            throw NotListening()
        }
        return LoopbackServer(port: port, scheme: tls == nil ? "http" : "https", task: task)
    }

    public func stop() async {
        task.cancel()
        _ = try? await task.value
    }
}
