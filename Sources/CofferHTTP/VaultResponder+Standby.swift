import CofferCore
import CofferFramework
import HTTPTypes
import Hummingbird

/// What a node of an HA cluster that is not active does with a request (docs/http-api.md § Standbys): it answers
/// the status and seal endpoints itself and forwards everything else to the active node, or redirects the client
/// there; and the active node's side of forwarding, which trusts a standby's word about the client's address only
/// when the standby signed it.
extension VaultResponder {
    /// Paths a standby answers itself (Vault's never-forwarded handlers).
    static let servedByStandby: Set<String> = [
        "sys/health", "sys/leader", "sys/seal-status", "sys/unseal", "sys/init", "sys/metrics",
    ]

    static let noForwardingField = HTTPField.Name("X-Vault-No-Request-Forwarding")!
    static let noActiveNodeForwarding = "local node not active but active cluster node not found"
    static let noActiveNodeRedirect = "no active Vault instance found"
    static let standbySeal = "vault cannot seal when in standby mode; please restart instead"

    /// The answer for a request this node must not serve itself, or nil when it serves it (not in a cluster,
    /// active, or a path every node answers).
    func standbyAnswer(_ request: Request, path: String, context: Context, extra: HTTPFields) async -> Response? {
        let status = core.haStatus
        guard status.role == .standby || status.role == .sealed, !Self.servedByStandby.contains(path) else {
            return nil
        }
        if path == "sys/seal", request.method == .put || request.method == .post {
            // Vault refuses before any token check: a standby cannot seal, it can only be restarted.
            return status.role == .standby ? Self.errors(500, [Self.standbySeal], extra: extra) : nil
        }
        // A request another standby forwarded here must not travel on: the nodes disagree about who is active.
        if request.headers[StandbyForwarder.forwardedForName] != nil {
            return Self.errors(503, [Self.noActiveNodeForwarding], extra: extra)
        }
        guard status.role == .standby else { return nil }  // sealed: answered locally (503 Vault is sealed)
        let redirectOnly =
            status.disableForwarding || !(Self.header(request.headers, Self.noForwardingField) ?? "").isEmpty
        guard let leader = status.leader else {
            // Coffer answers 503 on the forwarding path too (Vault: 500): no active node is a transient state
            // (a failover, a database outage), and 503 tells clients to retry.
            return redirectOnly
                ? Self.errors(503, [Self.noActiveNodeRedirect], extra: extra)
                : Self.errors(503, [Self.noActiveNodeForwarding], extra: extra)
        }
        if redirectOnly { return Self.redirect(request, to: leader.apiAddress, extra: extra) }
        return await forward(request, to: leader.apiAddress, context: context, extra: extra)
    }

    /// Relays `request` to the active node; when it cannot be reached, or the cluster elects another active node
    /// while the answer is awaited (the old one paused, say), redirects the client to whichever node is active now
    /// (Vault falls back to a redirect when forwarding fails). A write the old node still commits after a takeover
    /// is refused by the store's fence.
    func forward(_ request: Request, to apiAddress: String, context: Context, extra: HTTPFields) async -> Response {
        let body: [UInt8]
        switch await collect(request.body) {
        case .tooLarge: return Self.errors(413, ["error parsing JSON"], extra: extra)
        case .failed: return Self.errors(400, ["error reading request body"], extra: extra)
        case .bytes(let bytes): body = bytes
        }
        let method = Self.clientMethod(request)
        let client = context.remoteAddress?.ipAddress ?? ""
        let outbound = StandbyForwarder.Outbound(
            method: method, target: request.head.path ?? request.uri.path, headers: request.headers, body: body,
            client: client)
        let outcome = await forwarder.forward(
            outbound, to: apiAddress,
            supersededBy: { [core] in
                guard let leader = core.haStatus.leader?.apiAddress, leader != apiAddress else { return nil }
                return leader
            },
            sign: { [core] target in
                await core.signForwardedRequest(client: client, method: method, target: target)
            })
        switch outcome {
        case .answered(let response):
            return response
        case .failed(let reason):
            logger.warning("forwarding to the active node failed", metadata: ["reason": "\(reason)"])
            return Self.errors(500, ["error forwarding the request to the active node"], extra: extra)
        case .superseded(let leader):
            logger.warning(
                "another node became active while a forwarded request waited; redirecting",
                metadata: ["api_addr": "\(apiAddress)", "leader": "\(leader)"])
            return Self.redirect(request, to: leader, extra: extra)
        case .unreachable(let reason):
            logger.warning(
                "the active node could not be reached; redirecting",
                metadata: ["api_addr": "\(apiAddress)", "reason": "\(reason)"])
            guard let leader = core.haStatus.leader else {
                return Self.errors(503, [Self.noActiveNodeRedirect], extra: extra)
            }
            return Self.redirect(request, to: leader.apiAddress, extra: extra)
        }
    }

    /// `307` to the same path and query on the active node's `api_addr`, with no body.
    static func redirect(_ request: Request, to apiAddress: String, extra: HTTPFields) -> Response {
        var headers = extra
        headers[.location] = redirectLocation(apiAddress: apiAddress, path: request.uri.path, query: request.uri.query)
        return Response(status: .temporaryRedirect, headers: headers)
    }

    /// `scheme://host[:port]` of `api_addr`, the original path, and `?query` when there is one.
    static func redirectLocation(apiAddress: String, path: String, query: String?) -> String {
        var location = StandbyForwarder.origin(of: apiAddress) + path
        if let query, !query.isEmpty { location += "?" + query }
        return location
    }

    /// The method the client sent: `LIST` (and other methods NIO's parser does not know) arrive as GET plus the
    /// rewriter's marker.
    static func clientMethod(_ request: Request) -> String {
        header(request.headers, Field.listMarker) ?? request.method.rawValue
    }

    /// Where the request came from: the connection's peer, or, on the active node, the client a standby forwarded
    /// for, when the standby's signature over that address, the method and the target checks out. The port of a
    /// forwarded client is unknown.
    func clientAddress(_ request: Request, context: Context) async -> (address: String?, port: Int?) {
        let peer = (context.remoteAddress?.ipAddress, context.remoteAddress?.port)
        guard let forwardedFor = Self.header(request.headers, StandbyForwarder.forwardedForName),
            let signature = Self.header(request.headers, StandbyForwarder.signatureName)
        else { return peer }
        let verified = await core.verifyForwardedRequest(
            signature, client: forwardedFor, method: Self.clientMethod(request),
            target: request.head.path ?? request.uri.path)
        guard verified else {
            logger.debug("ignoring a forwarded client address without a valid signature")
            return peer
        }
        return (forwardedFor, nil)
    }
}
