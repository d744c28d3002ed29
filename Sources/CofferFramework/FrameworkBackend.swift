import CofferStorage
import Foundation

/// A backend defined as a table of paths, like Vault's `framework.Backend`: routing, field
/// parsing, unknown-field warnings, create-vs-update existence checks and help come from the table.
///
/// ```swift
/// let backend = FrameworkBackend(kind: .secrets, paths: [configPath, dataPath, metadataPath])
/// let response = try await backend.handle(request)
/// let system = FrameworkBackend(kind: .secrets, paths: paths, sudoPaths: ["auth/*", "rotate"])
/// let azure = FrameworkBackend(
///     kind: .credential, paths: paths,
///     periodic: PeriodicFunction(every: .seconds(10)) { storage in try await promoteIfDue(storage) },
///     walRollback: WALRollback(minimumAge: .seconds(600)) { entry, storage in try await undo(entry) })
/// ```
///
/// Its whole lifecycle is declared here: per-path `unauthenticated` and `sudo` flags (plus ``sudoPaths`` for
/// root-protected paths that are not implemented), `initialize`/`cleanup`, the ``PeriodicFunction`` the core runs
/// on a timer and the ``WALRollback`` that undoes write-ahead entries an interrupted operation left
/// (`FrameworkBackend+Periodic.swift`).
public struct FrameworkBackend: LogicalBackend {
    public let kind: BackendKind
    public let paths: [PathDefinition]
    public let help: String
    /// Paths (relative to the mount) that need `sudo` on the matched ACL rule besides the operation's own
    /// capability — Vault's root-protected special paths: an exact path, or a prefix ending in `*`. Declared
    /// whether or not a path is implemented yet, so a caller without sudo is refused before the backend runs.
    public let sudoPaths: [String]
    let renewHandler: (@Sendable (Auth, LogicalRequest) async throws -> Auth)?
    let initializeHandler: (@Sendable (any Storage) async throws -> Void)?
    let cleanupHandler: (@Sendable () async -> Void)?
    /// Background work the core runs while this node is active.
    public let periodicFunction: PeriodicFunction?
    /// Undoes write-ahead entries (``WALEntry``) that no running operation will finish.
    public let walRollback: WALRollback?
    /// When this backend instance was built (seconds since 1970): write-ahead entries written before it belong to an
    /// earlier instance (an earlier process, or the mount before it was rebuilt), so nothing running here owns them.
    public let builtAt: Double
    /// Whether any path sets `sudo`, so requests skip routing for the flag when none does.
    let hasSudoFlags: Bool

    public init(
        kind: BackendKind, paths: [PathDefinition], help: String = "", sudoPaths: [String] = [],
        renew: (@Sendable (Auth, LogicalRequest) async throws -> Auth)? = nil,
        initialize: (@Sendable (any Storage) async throws -> Void)? = nil,
        cleanup: (@Sendable () async -> Void)? = nil,
        periodic: PeriodicFunction? = nil, walRollback: WALRollback? = nil
    ) {
        self.kind = kind
        self.paths = paths
        self.help = help
        self.sudoPaths = sudoPaths
        self.renewHandler = renew
        self.initializeHandler = initialize
        self.cleanupHandler = cleanup
        self.periodicFunction = periodic
        self.walRollback = walRollback
        self.builtAt = Date().timeIntervalSince1970
        self.hasSudoFlags = paths.contains { $0.sudo }
    }

    /// The first path whose pattern matches, with its captures.
    public func route(_ path: String) -> (PathDefinition, [String: String])? {
        for definition in paths {
            if let captures = definition.pattern.match(path) { return (definition, captures) }
        }
        return nil
    }

    /// Field data for a request: body/query data with path captures taking precedence.
    func fieldData(_ request: LogicalRequest, _ definition: PathDefinition, _ captures: [String: String])
        -> (FieldData, replaced: [String])
    {
        var raw = request.data
        var replaced: [String] = []
        for (name, value) in captures {
            if raw[name] != nil { replaced.append(name) }
            raw[name] = .string(value)
        }
        return (FieldData(raw: raw, schema: definition.fields), replaced.sorted())
    }

    public func handle(_ request: LogicalRequest) async throws -> LogicalResponse? {
        guard let (definition, captures) = route(request.path) else { throw LogicalError.unsupportedPath }
        guard let operation = definition.operations[request.operation] else {
            throw LogicalError.unsupportedOperation
        }
        let (fields, replaced) = fieldData(request, definition, captures)
        try fields.validate()
        guard var response = try await operation.handler(request, fields) else { return nil }
        let unknown = request.data.keys.filter { definition.fields[$0] == nil && captures[$0] == nil }.sorted()
        if !unknown.isEmpty {
            response.warnings.append(
                "Endpoint ignored these unrecognized parameters: [\(unknown.joined(separator: " "))]")
        }
        if !replaced.isEmpty {
            response.warnings.append(
                "Endpoint replaced the value of these parameters with the values captured from the endpoint's path: [\(replaced.joined(separator: " "))]"
            )
        }
        return response
    }

    public func existenceCheck(_ request: LogicalRequest) async throws -> Bool? {
        guard let (definition, captures) = route(request.path), let check = definition.existenceCheck else {
            return nil
        }
        let (fields, _) = fieldData(request, definition, captures)
        return try await check(request, fields)
    }

    public func isUnauthenticated(path: String) -> Bool {
        route(path)?.0.unauthenticated ?? false
    }

    public func isSudoRequired(path: String) -> Bool {
        if hasSudoFlags, route(path)?.0.sudo == true { return true }
        return sudoPaths.contains { pattern in
            pattern.hasSuffix("*") ? path.hasPrefix(pattern.dropLast()) : path == pattern
        }
    }

    public func renew(_ auth: Auth, request: LogicalRequest) async throws -> Auth {
        guard let renewHandler else {
            throw LogicalError.badRequest("this auth method does not support renewal")
        }
        return try await renewHandler(auth, request)
    }

    public func initialize(storage: any Storage) async throws { try await initializeHandler?(storage) }
    public func cleanup() async { await cleanupHandler?() }

    public func help(for path: String) -> LogicalResponse? { helpResponse(for: path) }

    /// Help for `?help=1`: the matched path's synopsis and fields.
    public func helpResponse(for path: String) -> LogicalResponse {
        var text = help
        if let (definition, _) = route(path) {
            text =
                "## PATH\n\n\(definition.pattern)\n\n\(definition.synopsis)\n\n\(definition.description)\n\n## PARAMETERS\n\n"
            for (name, field) in definition.fields.sorted(by: { $0.key < $1.key }) {
                text += "\(name) (\(field.type.rawValue))\n    \(field.description)\n\n"
            }
        }
        return LogicalResponse(data: ["help": .string(text), "openapi": openAPIDocument()])
    }

    /// An OpenAPI 3 fragment derived from the path table (``OpenAPIPathTable``), paths relative to the mount.
    public func openAPIDocument() -> JSONValue {
        ["openapi": "3.0.2", "paths": .object(OpenAPIPathTable.items(of: paths, sudoPaths: sudoPaths))]
    }
}
