import CofferHTTP
import Hummingbird

/// Stands in for an active node that stopped answering (paused with `SIGSTOP`, say): it accepts each request and
/// never answers it, until its server stops.
///
/// ```swift
/// let hung = try await LoopbackServer.start(responder: HangingResponder(), logger: logger)
/// ```
struct HangingResponder: HTTPResponder {
    typealias Context = CofferRequestContext

    func respond(to request: Request, context: Context) async throws -> Response {
        try await Task.sleep(for: .seconds(3600))
        return Response(status: .serviceUnavailable)
    }
}
