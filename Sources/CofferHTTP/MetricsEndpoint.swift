import CofferCore
import CofferFramework
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /v1/sys/metrics` on the wire. Vault answers it with a raw body (the Prometheus text format, its JSON
/// format, or a plain-text error), so the system backend's ``MetricsResponse`` is unwrapped here into status,
/// `Content-Type` and body. A listener with `unauthenticated_metrics_access` asks the core directly, without a
/// token, as Vault's listener does (docs/metrics.md).
///
/// ```swift
/// let endpoint = MetricsEndpoint(core: core, unauthenticated: listener.unauthenticatedMetricsAccess)
/// let response = await endpoint.respond(format: query["format"]?.stringValue, accept: "text/plain", pipeline: {
///     await core.handle(CoreRequest(operation: .read, path: "sys/metrics", token: token))
/// }, extra: [:])
/// ```
struct MetricsEndpoint {
    let core: Core
    let unauthenticated: Bool

    /// A plain read of `sys/metrics`; `LIST`, `?list=` and `?help=` go through the usual path.
    static func serves(_ request: Request, query: [String: JSONValue]) -> Bool {
        request.method == .get && request.headers[VaultResponder.Field.listMarker] == nil && query["list"] == nil
            && query["help"] == nil
    }

    func respond(
        format: String?, accept: String?, pipeline: () async -> CoreResponse, extra: HTTPFields
    ) async -> Response {
        guard !unauthenticated else {
            return Self.render(await core.metricsResponse(format: format, accept: accept), extra: extra)
        }
        let answer = await pipeline()
        guard case .raw(let bytes) = answer.body, let document = try? JSONParser.parse(bytes),
            let metrics = MetricsResponse(json: document)
        else { return VaultResponder.render(answer, extra: extra) }
        return Self.render(metrics, extra: extra)
    }

    static func render(_ metrics: MetricsResponse, extra: HTTPFields) -> Response {
        var headers: HTTPFields = [.contentType: metrics.contentType, .cacheControl: "no-store"]
        headers.append(contentsOf: extra)
        return Response(
            status: .init(code: metrics.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.body)))
    }
}
