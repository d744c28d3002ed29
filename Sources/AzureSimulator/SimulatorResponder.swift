import CofferJSON
import Foundation
import Hummingbird
import NIOCore

/// `HTTPTypes.HTTPField.Name`, reached through Hummingbird's re-exported `HTTPFields`.
typealias HTTPFieldName = HTTPFields.Element.Name

/// One HTTP request as the endpoint handlers see it: decoded path segments and query, body bytes.
struct SimulatorRequest: Sendable {
    var method: String
    /// Percent-decoded path, e.g. `/subscriptions/…/virtualMachines/vm1`.
    var path: String
    var query: [String: String]
    var headers: HTTPFields
    var body: Data
    /// The `Host` header (HTTP/1) or `:authority` (HTTP/2), which HTTP types keep apart from `headers`.
    var authority: String? = nil

    /// Path segments; an empty segment (from `//`) is kept so such paths do not match any route.
    var segments: [String] {
        Array(path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map(String.init))
    }

    func header(_ name: String) -> String? {
        HTTPFieldName(name).flatMap { headers[$0] }
    }

    /// `application/x-www-form-urlencoded` body fields.
    func form() -> [String: String] {
        Self.parseQuery(String(decoding: body, as: UTF8.self))
    }

    func json() -> JSONValue? { try? JSONParser.parse(body) }

    static func parseQuery(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ part: Substring) -> String {
                String(part).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            let key = decode(parts[0])
            if fields[key] == nil { fields[key] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }
}

/// A response before it becomes HTTP.
struct SimulatorResponse: Sendable {
    var status: Int
    var headers: [(String, String)] = []
    var body: Data = Data()

    static func json(_ status: Int, _ body: JSONValue, headers: [(String, String)] = []) -> SimulatorResponse {
        SimulatorResponse(
            status: status, headers: [("Content-Type", "application/json; charset=utf-8")] + headers,
            body: Data(body.serialized()))
    }

    static func empty(_ status: Int) -> SimulatorResponse { SimulatorResponse(status: status) }

    /// ARM's (and the Graph-like) error envelope `{"error":{"code":…,"message":…}}`.
    static func armError(_ status: Int, _ code: String, _ message: String, headers: [(String, String)] = [])
        -> SimulatorResponse
    {
        json(status, ["error": ["code": .string(code), "message": .string(message)]], headers: headers)
    }
}

/// Hummingbird glue: reads the body, lets the core answer, writes the response.
struct SimulatorResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let core: SimulatorCore

    func respond(to request: Request, context: BasicRequestContext) async throws -> Response {
        var request = request
        let buffer = try await request.collectBody(upTo: 4 << 20)
        let rawPath = request.uri.path
        let simulated = SimulatorRequest(
            method: request.method.rawValue, path: rawPath.removingPercentEncoding ?? rawPath,
            query: SimulatorRequest.parseQuery(request.uri.query ?? ""), headers: request.headers,
            body: Data(buffer.readableBytesView), authority: request.head.authority)
        let answer = await core.handle(simulated)
        var headers = HTTPFields()
        for (name, value) in answer.headers {
            if let field = HTTPFieldName(name) { headers.append(HTTPFields.Element(name: field, value: value)) }
        }
        return Response(
            status: HTTPResponse.Status(code: answer.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: answer.body)))
    }
}
