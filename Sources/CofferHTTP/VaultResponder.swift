import CofferCore
import CofferFramework
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The `/v1/` HTTP surface: decodes Vault requests for the core and renders its answers as
/// Vault does — envelopes, `{"errors":[…]}`, 204s — with `Content-Type: application/json` exactly.
///
/// ```swift
/// let responder = VaultResponder(core: core, maxRequestSize: 32 << 20, logger: logger)
/// let app = Application(responder: responder, configuration: .init(address: .hostname("127.0.0.1", port: 8200)))
/// ```
///
/// On a standby of an HA cluster it forwards most requests to the active node through `forwarder`
/// (`VaultResponder+Standby.swift`); every listener of a server should share one forwarder.
public struct VaultResponder: HTTPResponder {
    public typealias Context = CofferRequestContext

    let core: Core
    let maxRequestSize: Int
    let logger: Logger
    /// The listener's `telemetry { unauthenticated_metrics_access = true }`: `sys/metrics` without a token.
    let unauthenticatedMetricsAccess: Bool
    /// Relays a standby's requests to the active node.
    let forwarder: StandbyForwarder

    /// Without a `forwarder` the responder makes its own, whose connections close when it is released.
    public init(
        core: Core, maxRequestSize: Int = 32 << 20, logger: Logger, unauthenticatedMetricsAccess: Bool = false,
        forwarder: StandbyForwarder? = nil
    ) {
        self.core = core
        self.maxRequestSize = maxRequestSize
        self.logger = logger
        self.unauthenticatedMetricsAccess = unauthenticatedMetricsAccess
        self.forwarder = forwarder ?? StandbyForwarder(logger: logger)
    }

    /// Header names, validated once rather than per request.
    enum Field {
        static let namespace = HTTPField.Name("X-Vault-Namespace")!
        static let token = HTTPField.Name("X-Vault-Token")!
        static let wrapTTL = HTTPField.Name("X-Vault-Wrap-TTL")!
        static let listMarker = HTTPField.Name(ListMethodRewriter.markerHeader)!
    }

    static let jsonHeaders: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]

    static func json(_ status: Int, _ bytes: [UInt8], extra: HTTPFields = [:]) -> Response {
        var headers = jsonHeaders
        headers.append(contentsOf: extra)
        return Response(
            status: .init(code: status), headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func errors(_ status: Int, _ messages: [String], extra: HTTPFields = [:]) -> Response {
        errors(LogicalError(status: status, messages: messages), extra: extra)
    }

    static func errors(_ error: LogicalError, extra: HTTPFields = [:]) -> Response {
        json(error.status, VaultErrorBody.serialized(error), extra: extra)
    }

    public func respond(to request: Request, context: Context) async throws -> Response {
        var extra: HTTPFields = [:]
        if let namespace = Self.header(request.headers, Field.namespace) {
            extra[Field.namespace] = namespace
        }
        let rawPath = request.uri.path
        guard rawPath.hasPrefix("/v1/") else { return Self.errors(404, [], extra: extra) }
        let encodedPath = rawPath.dropFirst(4)
        let path =
            encodedPath.utf8.contains(UInt8(ascii: "%"))
            ? String(encodedPath).removingPercentEncoding ?? String(encodedPath) : String(encodedPath)
        let query = request.uri.query.map { RequestDecoder.query(Substring($0)) } ?? [:]
        if let answer = await standbyAnswer(request, path: path, context: context, extra: extra) { return answer }
        let (remoteAddress, remotePort) = await clientAddress(request, context: context)

        switch path {
        case "sys/health", "sys/leader":
            return StatusEndpoints(core: core).respond(path: path, method: request.method, query: query, extra: extra)
        case "sys/metrics" where MetricsEndpoint.serves(request, query: query):
            return await respondMetrics(request, query: query, remoteAddress: remoteAddress, extra: extra)
        case _ where SealEndpoints.paths.contains(path):
            return await SealEndpoints(core: core, responder: self).respond(
                path: path, request: request, remoteAddress: remoteAddress, extra: extra)
        case _ where GenerateRootEndpoints.paths.contains(path):
            return await GenerateRootEndpoints(core: core, responder: self).respond(
                to: request, path: path, remoteAddress: remoteAddress, extra: extra)
        case _ where RekeyEndpoints.Endpoint(path: path) != nil:
            return await RekeyEndpoints(core: core, responder: self).respond(to: request, path: path, extra: extra)
        default:
            break
        }
        do throws(LogicalError) {
            let decoded = try await decode(request, query: query)
            let wrapTTL = try Self.wrapTTL(Self.header(request.headers, Field.wrapTTL))
            var coreRequest = CoreRequest(
                id: Hex.uuid(), operation: decoded.operation, path: path, data: decoded.data,
                token: Self.clientToken(request.headers), remoteAddress: remoteAddress,
                headers: Self.forwardedHeaders(request.headers), isHelp: decoded.isHelp)
            coreRequest.remotePort = remotePort
            coreRequest.wrapTTL = wrapTTL
            return Self.render(await core.handle(coreRequest), extra: extra)
        } catch {
            return Self.errors(error, extra: extra)
        }
    }

    /// What the method, query and body ask of the core.
    struct Decoded {
        var operation: LogicalOperation
        var data: [String: JSONValue]
        var isHelp = false
    }

    /// Maps the HTTP method (and `?list=`, `?help=`) onto an operation and its data, as Vault does.
    func decode(_ request: Request, query: [String: JSONValue]) async throws(LogicalError) -> Decoded {
        switch request.method.rawValue {
        case "GET" where request.headers[Field.listMarker] != nil:
            guard request.headers[Field.listMarker] == "LIST" else { throw LogicalError(status: 405, messages: []) }
            return Decoded(operation: .list, data: query)
        case "GET":
            var decoded = Decoded(operation: .read, data: query)
            if let list = decoded.data.removeValue(forKey: "list")?.stringValue {
                guard let flag = RequestDecoder.parseBool(list) else { throw LogicalError(status: 400, messages: []) }
                if flag { decoded.operation = .list }
            }
            if let help = decoded.data.removeValue(forKey: "help")?.stringValue,
                RequestDecoder.parseBool(help) == true
            {
                decoded.isHelp = true
            }
            return decoded
        case "LIST": return Decoded(operation: .list, data: query)
        case "DELETE": return Decoded(operation: .delete, data: query)
        case "HEAD": return Decoded(operation: .header, data: [:])
        case "POST", "PUT", "PATCH":
            let operation: LogicalOperation = request.method == .patch ? .patch : .update
            return Decoded(operation: operation, data: try await body(request, operation: operation))
        default:
            throw LogicalError(status: 405, messages: [])
        }
    }

    /// A write's body: JSON (or a form), within the size limit; a PATCH must say it is a merge patch.
    func body(_ request: Request, operation: LogicalOperation) async throws(LogicalError) -> [String: JSONValue] {
        let contentType = Self.header(request.headers, .contentType)
        if operation == .patch {
            let base = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
            guard base?.lowercased() == "application/merge-patch+json" else {
                throw LogicalError(
                    status: 415,
                    messages: [
                        "PATCH requires Content-Type of application/merge-patch+json, provided \(contentType ?? "")"
                    ])
            }
        }
        switch await collect(request.body) {
        case .tooLarge: throw LogicalError(status: 413, messages: ["error parsing JSON"])
        case .failed: throw LogicalError.badRequest("error reading request body")
        case .bytes(let bytes):
            do {
                return try RequestDecoder.body(bytes, contentType: contentType) ?? [:]
            } catch let error as LogicalError {
                throw error
            } catch {
                throw LogicalError.badRequest("error parsing JSON")
            }
        }
    }

    /// `X-Vault-Wrap-TTL` in seconds (0 when absent): bare seconds or a Go duration such as the CLI's `5m0s`.
    static func wrapTTL(_ header: String?) throws(LogicalError) -> Int64 {
        guard let header, !header.isEmpty else { return 0 }
        let ttl: Int64
        do {
            ttl = try DurationParser.seconds(header)
        } catch {
            throw LogicalError.badRequest("error parsing X-Vault-Wrap-TTL header: \(error)")
        }
        if ttl < 0 {
            throw LogicalError.badRequest(
                "error parsing X-Vault-Wrap-TTL header: requested wrap ttl cannot be negative")
        }
        return ttl
    }

    /// `X-Vault-Token`, else an `Authorization: Bearer` token.
    static func clientToken(_ headers: HTTPFields) -> String? {
        if let token = header(headers, Field.token) { return token }
        guard let authorization = header(headers, .authorization), authorization.hasPrefix("Bearer ") else {
            return nil
        }
        return String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
    }

    /// `headers[name]` (several values joined as HTTPFields joins them) without its lazy join for the usual single
    /// value: each request reads four or five headers, and the join cost a login about a microsecond.
    static func header(_ headers: HTTPFields, _ name: HTTPField.Name) -> String? {
        var found: String? = nil
        for field in headers where field.name == name {
            guard found == nil else { return headers[name] }
            found = field.value
        }
        return found
    }

    /// Every header but the token's and a standby's forwarding pair, names lower-cased, for backends that read
    /// headers.
    static func forwardedHeaders(_ headers: HTTPFields) -> [String: String] {
        var forwarded: [String: String] = [:]
        for field in headers
        where field.name != Field.token && field.name != .authorization
            && field.name != StandbyForwarder.forwardedForName && field.name != StandbyForwarder.signatureName
        {
            forwarded[field.name.canonicalName] = field.value
        }
        return forwarded
    }

    /// The core's answer on the wire.
    static func render(_ response: CoreResponse, extra: HTTPFields) -> Response {
        switch response.body {
        case .empty:
            return Response(status: .init(code: response.status), headers: jsonHeaders.merging(extra))
        case .errors(let error):
            return errors(error, extra: extra)
        case .envelope(let envelope):
            return json(response.status, envelope.serialized(), extra: extra)
        case .raw(let bytes):
            return json(response.status, bytes, extra: extra)
        }
    }

    enum Collected {
        case bytes([UInt8])
        case tooLarge
        case failed
    }

    /// Reads the whole body; past the limit keeps draining (so the client sees the 413, not a reset).
    func collect(_ body: RequestBody) async -> Collected {
        var bytes: [UInt8] = []
        var total = 0
        do {
            for try await buffer in body {
                total += buffer.readableBytes
                if maxRequestSize >= 0, total > maxRequestSize {
                    bytes = []
                    continue
                }
                bytes.append(contentsOf: buffer.readableBytesView)
            }
        } catch {
            return .failed
        }
        if maxRequestSize >= 0, total > maxRequestSize { return .tooLarge }
        return .bytes(bytes)
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var copy = self
        copy.append(contentsOf: other)
        return copy
    }
}
