import CofferFramework
import CofferStorage

/// The KV v2 backend of one mount: the ``FrameworkBackend`` path table plus the two routing rules
/// a pattern table cannot express — writes to a path ending in `/` are refused, and `data/` paths
/// ending in `/` fall through to Vault's "invalid path" answer.
///
/// ```swift
/// let backend = VersionedKVBackend(kv: VersionedKV())
/// let response = try await backend.handle(LogicalRequest(operation: .read, path: "data/app", storage: view))
/// ```
struct VersionedKVBackend: LogicalBackend {
    let kind = BackendKind.secrets
    let kv: VersionedKV
    let framework: FrameworkBackend

    init(kv: VersionedKV) {
        self.kv = kv
        // The catch-all comes last so every real path matches first (Vault's `pathInvalid`).
        let paths =
            [kv.configPath, kv.dataPath, kv.metadataPath, kv.subkeysPath] + kv.versionPaths + [Self.invalidPath]
        framework = FrameworkBackend(
            kind: .secrets, paths: paths,
            help: "A versioned key-value store: each write keeps a new version of the secret.",
            initialize: { [kv] _ in kv.forgetConfig() },
            cleanup: { [kv] in kv.forgetConfig() })
    }

    func handle(_ request: LogicalRequest) async throws -> LogicalResponse? {
        if Self.isWrite(request.operation), request.path.isEmpty || request.path.hasSuffix("/") {
            throw LogicalError.badRequest("cannot write to a path ending in '/'")
        }
        if Self.isDataFolder(request.path) { return Self.invalidResponse(request) }
        return try await framework.handle(request)
    }

    func existenceCheck(_ request: LogicalRequest) async throws -> Bool? {
        if Self.isDataFolder(request.path) { return nil }
        return try await framework.existenceCheck(request)
    }

    func initialize(storage: any Storage) async throws { try await framework.initialize(storage: storage) }
    func cleanup() async { await framework.cleanup() }
    func help(for path: String) -> LogicalResponse? { framework.help(for: path) }

    static func isWrite(_ operation: LogicalOperation) -> Bool {
        operation == .create || operation == .update || operation == .patch
    }

    /// Vault's data pattern requires a last character other than `/`.
    static func isDataFolder(_ path: String) -> Bool { path.hasPrefix("data/") && path.hasSuffix("/") }

    static let rootWarning = "Non-listing operations on the root of a K/V v2 mount are not supported."

    static let invalidPath = PathDefinition(
        "{invalid*}",
        operations: Dictionary(
            uniqueKeysWithValues: [LogicalOperation.read, .list, .create, .update, .patch, .delete].map { operation in
                (operation, PathOperation { request, _ in invalidResponse(request) })
            }),
        synopsis: "Paths outside the versioned K/V API.")

    /// 404 envelope with a warning pointing at the right API (or the root-of-mount warning).
    static func invalidResponse(_ request: LogicalRequest) -> LogicalResponse {
        switch request.path {
        case "metadata", "data", "delete", "undelete", "destroy":
            return LogicalResponse(data: nil, warnings: [rootWarning], statusCode: 404)
        default:
            break
        }
        let verb: String
        switch request.operation {
        case .create, .update: verb = "put"
        case .patch: verb = "patch"
        case .read, .header: verb = "get"
        case .list: verb = "list"
        case .delete: verb = "delete"
        }
        return LogicalResponse(
            data: nil,
            warnings: [
                "Invalid path for a versioned K/V secrets engine. See the API docs for the appropriate API endpoints to use. If using the Vault CLI, use 'vault kv \(verb)' for this operation."
            ],
            statusCode: 404)
    }
}
