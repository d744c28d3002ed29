/// Handles one operation on a path. Return `nil` for an empty success (204).
public typealias OperationHandler = @Sendable (LogicalRequest, FieldData) async throws -> LogicalResponse?

/// One operation's handler and its one-line summary (used for help and OpenAPI).
public struct PathOperation: Sendable {
    public var summary: String
    public var handler: OperationHandler

    public init(_ summary: String = "", handler: @escaping OperationHandler) {
        self.summary = summary
        self.handler = handler
    }
}

/// A path of a backend: pattern, typed fields, and a handler per operation — Vault's
/// `framework.Path`.
///
/// ```swift
/// PathDefinition(
///     "role/{name}",
///     fields: ["name": FieldSchema(.lowerCaseString), "policies": FieldSchema(.commaStringSlice)],
///     operations: [.read: PathOperation("Read a role") { request, fields in … }],
///     existenceCheck: { request, fields in try await roles.exists(fields.string("name")) })
/// ```
///
/// A class: every request routes through its backend's table several times, and handing out a reference
/// costs one retain where copying the definition's fields cost one each.
public final class PathDefinition: Sendable {
    public let pattern: PathPattern
    public let fields: [String: FieldSchema]
    public let operations: [LogicalOperation: PathOperation]
    public let existenceCheck: (@Sendable (LogicalRequest, FieldData) async throws -> Bool)?
    public let synopsis: String
    public let description: String
    /// Needs no client token (e.g. `login`).
    public let unauthenticated: Bool
    /// Needs `sudo` on the matched ACL rule besides the operation's own capability (a root-protected path).
    public let sudo: Bool

    public init(
        _ pattern: String, fields: [String: FieldSchema] = [:], operations: [LogicalOperation: PathOperation],
        existenceCheck: (@Sendable (LogicalRequest, FieldData) async throws -> Bool)? = nil,
        synopsis: String = "", description: String = "", unauthenticated: Bool = false, sudo: Bool = false
    ) {
        self.pattern = PathPattern(pattern)
        self.fields = fields
        self.operations = operations
        self.existenceCheck = existenceCheck
        self.synopsis = synopsis
        self.description = description
        self.unauthenticated = unauthenticated
        self.sudo = sudo
    }
}
