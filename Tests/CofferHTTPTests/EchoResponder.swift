import CofferHTTP
import HTTPTypes
import Hummingbird
import NIOCore
import Synchronization

/// Stands in for the active node in forwarding tests: records each request as it arrived (method as the client
/// sent it, `LIST` included; target; headers; body) and answers `201` with a fixed set of headers (some of them
/// hop-by-hop) and a body.
///
/// ```swift
/// let echo = EchoResponder()
/// let server = try await LoopbackServer.start(responder: echo, logger: logger)
/// … forward to server.url …
/// #expect(echo.received.last?.method == "LIST")
/// ```
final class EchoResponder: HTTPResponder, Sendable {
    typealias Context = CofferRequestContext

    struct Received: Sendable {
        var method: String
        var target: String
        var headers: HTTPFields
        /// The `Host` header (HTTP types keep it apart from the other fields).
        var authority: String?
        var body: [UInt8]
    }

    static let answerBody = #"{"answer":"from the active node"}"#

    private let log = Mutex<[Received]>([])

    var received: [Received] { log.withLock { $0 } }

    func respond(to request: Request, context: Context) async throws -> Response {
        var body: [UInt8] = []
        for try await buffer in request.body { body.append(contentsOf: buffer.readableBytesView) }
        let marker = request.headers[HTTPField.Name("X-Coffer-Method")!]
        log.withLock {
            $0.append(
                Received(
                    method: marker ?? request.method.rawValue, target: request.head.path ?? "",
                    headers: request.headers, authority: request.head.authority, body: body))
        }
        let headers: HTTPFields = [
            .contentType: "application/json", HTTPField.Name("X-Answer")!: "yes",
            HTTPField.Name("Keep-Alive")!: "timeout=5", HTTPField.Name("Proxy-Authenticate")!: "Basic",
        ]
        return Response(
            status: .created, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: Self.answerBody)))
    }
}
