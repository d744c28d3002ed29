import CofferFramework

/// What the core answers; the HTTP layer renders it (envelope, errors or nothing).
///
/// ```swift
/// let response = await core.handle(request)
/// if case .errors(let error) = response.body { print(error.status, error.messages) }
/// ```
public struct CoreResponse: Sendable {
    public enum Body: Sendable {
        /// 204 or a body-less status.
        case empty
        /// `{"errors":[…]}`, rendered by the HTTP layer.
        case errors(LogicalError)
        /// The standard Vault envelope.
        case envelope(Envelope)
        /// A JSON document sent as-is.
        case raw([UInt8])
    }

    public var status: Int
    public var body: Body

    public init(status: Int, body: Body) {
        self.status = status
        self.body = body
    }

    public static func error(_ error: LogicalError) -> CoreResponse {
        CoreResponse(status: error.status, body: .errors(error))
    }
}
