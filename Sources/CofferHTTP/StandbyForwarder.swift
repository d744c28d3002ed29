import AsyncHTTPClient
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOSSL
import Synchronization

/// The reverse proxy of a standby (docs/http-api.md § Standbys): relays one request to the active node's `api_addr`
/// and hands back its answer unchanged (status, headers and body), so a client cannot tell it reached a standby.
///
/// One forwarder serves every listener of a server; its `HTTPClient` is created on the first forwarded request (a
/// node without HA never starts one) and keeps its connections to the active node open between requests, which
/// is what keeps forwarding under a millisecond on loopback. Hop-by-hop headers (``isHopByHop(_:)``) are dropped
/// both ways; the client's address and the standby's signature travel in ``forwardedForHeader`` and
/// ``signatureHeader``.
///
/// ```swift
/// let forwarder = StandbyForwarder()
/// let outcome = await forwarder.forward(
///     StandbyForwarder.Outbound(method: "LIST", target: "/v1/secret/metadata/?x=1", headers: request.headers,
///                               body: [], client: "10.0.0.7"),
///     to: "http://10.0.0.2:8200", sign: { wireTarget in await core.signForwardedRequest(…) })
/// if case .answered(let response) = outcome { return response }
/// await forwarder.shutdown()   // when the server stops
/// ```
public final class StandbyForwarder: Sendable {
    /// How the forwarder talks to the active node.
    public struct Configuration: Sendable {
        /// How long a connection to the active node may take; past it the standby redirects instead.
        public var connectTimeout: TimeAmount
        /// The whole exchange with the active node, body included (Vault's default request limit is 90 s).
        public var requestTimeout: TimeAmount
        /// For an `https` `api_addr`: whom to trust (nil: the system's roots).
        public var tls: TLSConfiguration?
        /// The largest answer relayed; a larger one is refused with 500 rather than buffered.
        public var maxResponseSize: Int
        /// Connections kept to the active node at once (more requests queue for one).
        public var maxConnections: Int
        /// How often requests awaiting an answer check whether another node became active.
        public var leaderCheckInterval: Duration

        public init(
            connectTimeout: TimeAmount = .seconds(2), requestTimeout: TimeAmount = .seconds(90),
            tls: TLSConfiguration? = nil, maxResponseSize: Int = 256 << 20, maxConnections: Int = 64,
            leaderCheckInterval: Duration = .milliseconds(250)
        ) {
            self.connectTimeout = connectTimeout
            self.requestTimeout = requestTimeout
            self.tls = tls
            self.maxResponseSize = maxResponseSize
            self.maxConnections = maxConnections
            self.leaderCheckInterval = leaderCheckInterval
        }
    }

    /// The request as the standby received it.
    public struct Outbound: Sendable {
        /// The client's method (`LIST` itself, not the rewriter's GET).
        public var method: String
        /// Path and query exactly as received (`/v1/secret/data/x?version=2`).
        public var target: String
        public var headers: HTTPFields
        public var body: [UInt8]
        /// The address the standby's connection came from.
        public var client: String

        public init(method: String, target: String, headers: HTTPFields, body: [UInt8], client: String) {
            self.method = method
            self.target = target
            self.headers = headers
            self.body = body
            self.client = client
        }
    }

    /// What came of one forwarded request.
    public enum Outcome: Sendable {
        /// The active node's answer, ready to send to the client.
        case answered(Response)
        /// No answer came back (connection refused or reset, timeout, closed forwarder): the standby redirects.
        case unreachable(String)
        /// The active node answered something that cannot be relayed (too large, or cut off mid-body).
        case failed(String)
        /// Another node (its `api_addr`) became active while the answer was awaited; the request was abandoned.
        case superseded(String)
    }

    /// The client's address as the standby saw it.
    public static let forwardedForHeader = "X-Coffer-Forwarded-For"
    /// The standby's proof that ``forwardedForHeader`` is genuine (`core.signForwardedRequest`).
    public static let signatureHeader = "X-Coffer-Forwarding-Signature"

    static let forwardedForName = HTTPField.Name(forwardedForHeader)!
    static let signatureName = HTTPField.Name(signatureHeader)!

    private let configuration: Configuration
    private let logger: Logger
    private let state = Mutex<(client: HTTPClient?, closed: Bool)>((nil, false))
    private let pending: PendingForwards

    public init(configuration: Configuration = Configuration(), logger: Logger = Logger(label: "coffer.forwarding")) {
        self.configuration = configuration
        self.logger = logger
        self.pending = PendingForwards(interval: configuration.leaderCheckInterval)
    }

    deinit {
        // A server that never called shutdown() (tests, or a listener torn down early) still ends the client:
        // AsyncHTTPClient traps in debug builds when a client is released while running. The shutdown closure
        // keeps the client alive until it has finished.
        state.withLock { $0.client }?.shutdown { _ in }
    }

    /// Closes the pooled connections; later requests get ``Outcome/unreachable(_:)``.
    public func shutdown() async {
        let client = state.withLock { state -> HTTPClient? in
            state.closed = true
            defer { state.client = nil }
            return state.client
        }
        do {
            try await client?.shutdown()
        } catch {
            logger.warning("closing the forwarding client failed", metadata: ["error": "\(error)"])
        }
    }

    private func client() -> HTTPClient? {
        state.withLock { state in
            guard !state.closed else { return nil }
            if let client = state.client { return client }
            var configuration = HTTPClient.Configuration(
                tlsConfiguration: self.configuration.tls, redirectConfiguration: .disallow,
                timeout: .init(connect: self.configuration.connectTimeout), decompression: .disabled)
            configuration.httpVersion = .http1Only
            configuration.connectionPool = .init(
                idleTimeout: .seconds(60),
                concurrentHTTP1ConnectionsPerHostSoftLimit: self.configuration.maxConnections)
            // A refused connection means the active node is gone: redirect at once rather than retry until the
            // deadline.
            configuration.connectionPool.retryConnectionEstablishment = false
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            state.client = client
            return client
        }
    }

    /// Sends `outbound` to the active node at `apiAddress`. `sign` gets the request target exactly as it goes on the
    /// wire (the client library re-encodes a few characters) and returns the signature header's value, if any.
    /// `supersededBy` names the node that is active now when it is no longer the one at `apiAddress` (nil while it
    /// still is, or while none is known): a request still waiting for its answer then ends with
    /// ``Outcome/superseded(_:)`` (checked every ``Configuration/leaderCheckInterval``).
    public func forward(
        _ outbound: Outbound, to apiAddress: String, supersededBy: @escaping @Sendable () -> String? = { nil },
        sign: @escaping @Sendable (String) async -> String?
    ) async -> Outcome {
        // The exchange runs in a task of its own so the watcher can cancel it; the caller's cancellation (a client
        // that went away) reaches it too.
        let task = Task { await self.send(outbound, to: apiAddress, sign: sign) }
        let id = pending.add(task, supersededBy: supersededBy)
        let outcome = await withTaskCancellationHandler {
            await task.value
        } onCancel: {
            task.cancel()
        }
        let newLeader = pending.remove(id)
        if case .answered = outcome { return outcome }
        return newLeader.map { .superseded($0) } ?? outcome
    }

    private func send(
        _ outbound: Outbound, to apiAddress: String, sign: @Sendable (String) async -> String?
    ) async -> Outcome {
        let url = Self.origin(of: apiAddress) + outbound.target
        guard let wireTarget = Self.wireTarget(url) else { return .failed("cannot forward to \(url)") }
        guard let client = client() else { return .unreachable("the forwarding client is shut down") }
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: outbound.method)
        for field in Self.relayed(outbound.headers) {
            request.headers.add(name: field.name.rawName, value: field.value)
        }
        request.headers.replaceOrAdd(name: Self.forwardedForHeader, value: outbound.client)
        request.headers.remove(name: Self.signatureHeader)
        if let signature = await sign(wireTarget) {
            request.headers.add(name: Self.signatureHeader, value: signature)
        }
        request.body = .bytes(ByteBuffer(bytes: outbound.body))
        let response: HTTPClientResponse
        do {
            response = try await client.execute(
                request, deadline: .now() + configuration.requestTimeout, logger: logger)
        } catch {
            return .unreachable("\(error)")
        }
        let body: ByteBuffer
        do {
            body = try await response.body.collect(upTo: configuration.maxResponseSize)
        } catch {
            return .failed("error reading the active node's answer: \(error)")
        }
        var headers = HTTPFields()
        for (name, value) in response.headers {
            guard let fieldName = HTTPField.Name(name) else { continue }
            headers.append(HTTPField(name: fieldName, value: value))
        }
        headers = Self.relayed(headers, keepContentLength: outbound.method == "HEAD")
        return .answered(
            Response(
                status: .init(code: Int(response.status.code)), headers: headers,
                body: ResponseBody(byteBuffer: body)))
    }

    /// `scheme://host[:port]` of an `api_addr` (https when it names no scheme, as Vault assumes).
    public static func origin(of apiAddress: String) -> String {
        var rest = Substring(apiAddress)
        var scheme = "https"
        if let separator = rest.range(of: "://") {
            scheme = String(rest[..<separator.lowerBound])
            rest = rest[separator.upperBound...]
        }
        return scheme + "://" + rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
    }

    /// The path and query AsyncHTTPClient will send for `url`: it parses the URL with Foundation, which
    /// percent-encodes characters such as spaces and `|`, and sends `percentEncodedPath` plus `?query`.
    static func wireTarget(_ url: String) -> String? {
        guard let parsed = URL(string: url) else { return nil }
        var target =
            parsed.path.isEmpty
            ? "/" : (URLComponents(url: parsed, resolvingAgainstBaseURL: true)?.percentEncodedPath ?? parsed.path)
        if let query = parsed.query { target += "?" + query }
        return target
    }

    /// `headers` without hop-by-hop fields, those the `Connection` header names, and Coffer's own markers
    /// (the `LIST` rewriter's and the forwarding pair, which only the forwarder sets).
    static func relayed(_ headers: HTTPFields, keepContentLength: Bool = false) -> HTTPFields {
        let named = Set(
            headers[values: .connection].flatMap { $0.split(separator: ",") }.map {
                $0.trimmingCharacters(in: .whitespaces).lowercased()
            })
        var kept = HTTPFields()
        for field in headers {
            let name = field.name.canonicalName
            if keepContentLength, field.name == .contentLength {
                kept.append(field)
                continue
            }
            guard !isHopByHop(name), !named.contains(name), field.name != VaultResponder.Field.listMarker,
                field.name != forwardedForName, field.name != signatureName
            else { continue }
            kept.append(field)
        }
        return kept
    }

    /// Headers that describe one connection, not the request: never relayed (RFC 9110 § 7.6.1, plus `Host` and
    /// `Content-Length`, which the client library sets for its own connection and body).
    static func isHopByHop(_ lowercasedName: String) -> Bool {
        switch lowercasedName {
        case "connection", "keep-alive", "transfer-encoding", "te", "upgrade", "host", "content-length", "trailer":
            return true
        default:
            return lowercasedName.hasPrefix("proxy-")
        }
    }
}
