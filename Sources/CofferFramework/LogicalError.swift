/// An error a backend or the core returns to a client: a status and plain messages. The HTTP layer renders it as
/// Vault's `{"errors":[...]}`; when `isMultiError` is set the messages go out as one go-multierror text
/// (`1 error occurred:\n\t* permission denied\n\n`), which is how Vault answers errors its core (and some
/// backends) collect into a list. Nothing else formats that text.
///
/// ```swift
/// throw LogicalError.badRequest("no data provided")   // 400 {"errors":["no data provided"]}
/// throw LogicalError.notFound                         // 404 {"errors":[]}
/// throw LogicalError.permissionDenied                 // 403 {"errors":["1 error occurred:\n\t* permission denied\n\n"]}
/// throw LogicalError(status: 400, messages: problems, isMultiError: true)
/// ```
public struct LogicalError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var messages: [String]
    /// Render `messages` as one go-multierror text rather than one entry each.
    public var isMultiError: Bool

    public init(status: Int, messages: [String], isMultiError: Bool = false) {
        self.status = status
        self.messages = messages
        self.isMultiError = isMultiError
    }

    public var description: String { "\(status): \(messages.joined(separator: ", "))" }

    public static func badRequest(_ message: String) -> LogicalError { .init(status: 400, messages: [message]) }
    public static let notFound = LogicalError(status: 404, messages: [])
    /// ACL denial: never contains `invalid token`.
    public static let permissionDenied = LogicalError(status: 403, messages: ["permission denied"], isMultiError: true)
    /// Missing token on an authenticated path.
    public static let missingToken = LogicalError(status: 403, messages: ["permission denied"])
    /// Unknown, expired or revoked token: Vault Agent re-authenticates on `invalid token`.
    public static let invalidToken = LogicalError(
        status: 403, messages: ["permission denied", "invalid token"], isMultiError: true)
    public static let unsupportedPath = LogicalError(status: 404, messages: ["unsupported path"], isMultiError: true)
    public static let unsupportedOperation = LogicalError(
        status: 405, messages: ["unsupported operation"], isMultiError: true)
    public static let internalError = LogicalError(status: 500, messages: ["internal error"], isMultiError: true)
    public static let sealed = LogicalError(status: 503, messages: ["Vault is sealed"])
    /// A backend's own permission denial (403) with its message.
    public static func forbidden(_ message: String) -> LogicalError { .init(status: 403, messages: [message]) }
    /// An upstream service (e.g. Azure) failed: 502 naming the call.
    public static func badGateway(_ message: String) -> LogicalError { .init(status: 502, messages: [message]) }
}
