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
public struct VaultResponder: HTTPResponder {
    public typealias Context = CofferRequestContext

    let core: Core
    let maxRequestSize: Int
    let logger: Logger

    public init(core: Core, maxRequestSize: Int = 32 << 20, logger: Logger) {
        self.core = core
        self.maxRequestSize = maxRequestSize
        self.logger = logger
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
        if let namespace = request.headers[Field.namespace] {
            extra[Field.namespace] = namespace
        }
        let rawPath = request.uri.path
        guard rawPath.hasPrefix("/v1/") else { return Self.errors(404, [], extra: extra) }
        let encodedPath = rawPath.dropFirst(4)
        let path =
            encodedPath.utf8.contains(UInt8(ascii: "%"))
            ? String(encodedPath).removingPercentEncoding ?? String(encodedPath) : String(encodedPath)
        let query = request.uri.query.map { RequestDecoder.query(Substring($0)) } ?? [:]

        switch path {
        case "sys/health", "sys/seal-status", "sys/leader", "sys/init":
            return StatusEndpoints(core: core).respond(path: path, method: request.method, query: query, extra: extra)
        default:
            break
        }

        var operation: LogicalOperation
        var data: [String: JSONValue] = [:]
        var isHelp = false
        switch request.method.rawValue {
        case "GET" where request.headers[Field.listMarker] != nil:
            guard request.headers[Field.listMarker] == "LIST" else {
                return Self.errors(405, [], extra: extra)
            }
            operation = .list
            data = query
        case "GET":
            data = query
            operation = .read
            if let list = data.removeValue(forKey: "list")?.stringValue {
                guard let flag = RequestDecoder.parseBool(list) else { return Self.errors(400, [], extra: extra) }
                if flag { operation = .list }
            }
            if let help = data.removeValue(forKey: "help")?.stringValue, RequestDecoder.parseBool(help) == true {
                isHelp = true
            }
        case "LIST":
            operation = .list
            data = query
        case "DELETE":
            operation = .delete
            data = query
        case "HEAD":
            operation = .header
        case "POST", "PUT", "PATCH":
            operation = request.method == .patch ? .patch : .update
            let contentType = request.headers[.contentType]
            if operation == .patch {
                let base = contentType?.split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces) }
                guard base?.lowercased() == "application/merge-patch+json" else {
                    return Self.errors(
                        415,
                        ["PATCH requires Content-Type of application/merge-patch+json, provided \(contentType ?? "")"],
                        extra: extra)
                }
            }
            let bytes: [UInt8]
            switch await collect(request.body) {
            case .tooLarge: return Self.errors(413, ["error parsing JSON"], extra: extra)
            case .failed: return Self.errors(400, ["error reading request body"], extra: extra)
            case .bytes(let collected): bytes = collected
            }
            do {
                data = try RequestDecoder.body(bytes, contentType: contentType) ?? [:]
            } catch let error as LogicalError {
                return Self.errors(error, extra: extra)
            }
        default:
            return Self.errors(405, [], extra: extra)
        }

        if let wrap = request.headers[Field.wrapTTL], !wrap.isEmpty {
            do {
                let ttl = try DurationParser.seconds(wrap)
                if ttl < 0 {
                    return Self.errors(
                        400, ["error parsing X-Vault-Wrap-TTL header: requested wrap ttl cannot be negative"],
                        extra: extra)
                }
                if ttl > 0 {
                    return Self.errors(
                        400, ["response wrapping (X-Vault-Wrap-TTL) is not supported by Coffer"], extra: extra)
                }
            } catch {
                return Self.errors(400, ["error parsing X-Vault-Wrap-TTL header: \(error)"], extra: extra)
            }
        }

        var token = request.headers[Field.token]
        if token == nil, let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer ") {
            token = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        }
        var headers: [String: String] = [:]
        for field in request.headers where field.name != Field.token && field.name != .authorization {
            headers[field.name.canonicalName] = field.value
        }
        let coreRequest = CoreRequest(
            id: Hex.uuid(), operation: operation, path: path, data: data, token: token,
            remoteAddress: context.remoteAddress?.ipAddress, headers: headers, isHelp: isHelp)
        let response = await core.handle(coreRequest)
        switch response.body {
        case .empty:
            return Response(status: .init(code: response.status), headers: Self.jsonHeaders.merging(extra))
        case .errors(let error):
            return Self.errors(error, extra: extra)
        case .envelope(let envelope):
            return Self.json(response.status, envelope.serialized(), extra: extra)
        case .raw(let bytes):
            return Self.json(response.status, bytes, extra: extra)
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
