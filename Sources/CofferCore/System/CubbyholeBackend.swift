import CofferFramework
import CofferStorage

/// `cubbyhole/`: private storage per token, keyed by the token's salted hash.
struct CubbyholeBackend: Sendable {
    let core: Core

    func view(_ request: LogicalRequest) throws -> StorageView {
        guard let token = request.clientToken, !token.isEmpty else { throw LogicalError.missingToken }
        return StorageView(request.storage, prefix: try core.unsealed().tokens.hash(token) + "/")
    }

    var backend: FrameworkBackend {
        FrameworkBackend(
            kind: .secrets,
            paths: [
                PathDefinition(
                    "{path*}",
                    operations: [
                        .read: PathOperation("Read a secret") { request, fields in
                            let path = request.path
                            guard !path.isEmpty else { throw LogicalError.badRequest("missing path") }
                            guard let bytes = try await view(request).get(path),
                                let data = try JSONValue.parseObject(bytes)
                            else { return nil }
                            return LogicalResponse(data: data)
                        },
                        .list: PathOperation("List secrets") { request, _ in
                            .list(try await view(request).list(prefix: request.path))
                        },
                        .create: PathOperation("Store a secret") { request, _ in try await write(request) },
                        .update: PathOperation("Store a secret") { request, _ in try await write(request) },
                        .delete: PathOperation("Delete a secret") { request, _ in
                            // A folder (the mount root included) is never a stored entry: nothing to delete.
                            guard !request.path.isEmpty, !request.path.hasSuffix("/") else { return nil }
                            try checkStorable(request.path)
                            try await view(request).delete(request.path)
                            return nil
                        },
                    ], synopsis: "Per-token private secret storage")
            ], help: "The cubbyhole backend stores secrets private to the calling token.")
    }

    /// Storage keys cannot hold NUL (SQLite text ends there), so such a path is the client's mistake to report
    /// as a 400, not a storage failure (500). Reads need no check: no stored key holds NUL, so they find nothing.
    func checkStorable(_ path: String) throws {
        if path.utf8.contains(0) { throw LogicalError.badRequest("path must not contain NUL characters") }
    }

    func write(_ request: LogicalRequest) async throws -> LogicalResponse? {
        guard !request.path.isEmpty else { throw LogicalError.badRequest("missing path") }
        guard !request.data.isEmpty else { throw LogicalError.badRequest("missing data fields") }
        try checkStorable(request.path)
        try await view(request).put(request.path, value: JSONValue.object(request.data).serialized())
        return nil
    }
}
