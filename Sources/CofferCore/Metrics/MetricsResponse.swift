import CofferFramework

/// What `sys/metrics` answers, before HTTP: a status, a content type and the body, as Vault's metrics helper
/// answers with a raw HTTP body rather than the envelope. The system backend carries it through the request
/// pipeline as a raw document (``json``) under the keys Vault uses for raw responses, and the HTTP layer turns it
/// back into a response (``init(json:)``).
///
/// ```swift
/// let response = await core.metricsResponse(format: "prometheus", accept: nil)
/// response.status        // 400 without a `telemetry` stanza
/// response.contentType   // "text/plain"
/// ```
public struct MetricsResponse: Sendable, Equatable {
    public var status: Int
    public var contentType: String
    public var body: String

    public init(status: Int, contentType: String, body: String) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// The Prometheus text exposition format's content type.
    public static let prometheusContentType = "text/plain; version=0.0.4; charset=utf-8"

    public var json: JSONValue {
        .object([
            "http_status_code": .int(Int64(status)), "http_content_type": .string(contentType),
            "http_raw_body": .string(body),
        ])
    }

    /// The response back from ``json``; nil for any other document.
    public init?(json: JSONValue) {
        guard case .object(let object) = json, case .int(let status)? = object["http_status_code"],
            (100...599).contains(status), case .string(let contentType)? = object["http_content_type"],
            case .string(let body)? = object["http_raw_body"]
        else { return nil }
        self.init(status: Int(status), contentType: contentType, body: body)
    }
}
