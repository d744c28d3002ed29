import CofferCore
import CofferFramework
import HTTPTypes
import Hummingbird

extension VaultResponder {
    /// `GET sys/metrics`: through the pipeline (token, ACL, audit) unless this listener opened it to everyone.
    func respondMetrics(
        _ request: Request, query: [String: JSONValue], remoteAddress: String?, extra: HTTPFields
    ) async -> Response {
        let endpoint = MetricsEndpoint(core: core, unauthenticated: unauthenticatedMetricsAccess)
        let pipelineRequest = CoreRequest(
            id: Hex.uuid(), operation: .read, path: "sys/metrics", data: query,
            token: Self.clientToken(request.headers), remoteAddress: remoteAddress,
            headers: Self.forwardedHeaders(request.headers))
        return await endpoint.respond(
            format: query["format"]?.stringValue, accept: request.headers[.accept],
            pipeline: { await core.handle(pipelineRequest) }, extra: extra)
    }
}
