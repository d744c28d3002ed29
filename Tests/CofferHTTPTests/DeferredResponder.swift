import CofferHTTP
import Hummingbird
import Synchronization

/// A responder whose ``VaultResponder`` is set once the listener is up: an HA node's `api_addr` names its port,
/// which the kernel picks when the listener binds, and the node's core needs that address when it is built.
///
/// ```swift
/// let deferred = DeferredResponder()
/// let server = try await LoopbackServer.start(responder: deferred, logger: logger)
/// deferred.set(VaultResponder(core: makeCore(apiAddress: server.url), logger: logger))
/// ```
final class DeferredResponder: HTTPResponder, Sendable {
    typealias Context = CofferRequestContext

    private let inner = Mutex<VaultResponder?>(nil)

    func set(_ responder: VaultResponder) {
        inner.withLock { $0 = responder }
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        guard let responder = inner.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
        return try await responder.respond(to: request, context: context)
    }
}
