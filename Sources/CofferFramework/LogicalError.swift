/// An error a backend or the core returns to a client, rendered as Vault's `{"errors":[...]}`.
///
/// ```swift
/// throw LogicalError.badRequest("no data provided")   // 400 {"errors":["no data provided"]}
/// throw LogicalError.notFound                         // 404 {"errors":[]}
/// ```
public struct LogicalError: Error, Sendable, Equatable, CustomStringConvertible {
    public var status: Int
    public var messages: [String]

    public init(status: Int, messages: [String]) {
        self.status = status
        self.messages = messages
    }

    public var description: String { "\(status): \(messages.joined(separator: ", "))" }

    public static func badRequest(_ message: String) -> LogicalError { .init(status: 400, messages: [message]) }
    public static let notFound = LogicalError(status: 404, messages: [])
    /// ACL denial: never contains `invalid token`.
    public static let permissionDenied = LogicalError(
        status: 403, messages: ["1 error occurred:\n\t* permission denied\n\n"])
    /// Missing token on an authenticated path.
    public static let missingToken = LogicalError(status: 403, messages: ["permission denied"])
    /// Unknown, expired or revoked token: Vault Agent re-authenticates on `invalid token`.
    public static let invalidToken = LogicalError(
        status: 403, messages: ["2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n"])
    public static let unsupportedPath = LogicalError(
        status: 404, messages: ["1 error occurred:\n\t* unsupported path\n\n"])
    public static let unsupportedOperation = LogicalError(
        status: 405, messages: ["1 error occurred:\n\t* unsupported operation\n\n"])
    public static let internalError = LogicalError(
        status: 500, messages: ["1 error occurred:\n\t* internal error\n\n"])
    public static let sealed = LogicalError(status: 503, messages: ["Vault is sealed"])
    /// A backend's own permission denial (403) with its message.
    public static func forbidden(_ message: String) -> LogicalError { .init(status: 403, messages: [message]) }
    /// An upstream service (e.g. Azure) failed: 502 naming the call.
    public static func badGateway(_ message: String) -> LogicalError { .init(status: 502, messages: [message]) }
}
