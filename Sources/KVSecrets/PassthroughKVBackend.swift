import CofferFramework
import CofferStorage
import Foundation

/// KV version 1: each path stores the request's JSON object as-is, unversioned.
///
/// It takes arbitrary fields (the secret *is* the request data), so it is a plain
/// ``LogicalBackend`` rather than a ``FrameworkBackend`` that would warn about unknown fields.
///
/// ```swift
/// // POST creds {"user":"app"} → 204;  GET creds → {"user":"app"};  LIST "" → {"keys":["creds"]}
/// ```
struct PassthroughKVBackend: LogicalBackend {
    let kind = BackendKind.secrets

    func handle(_ request: LogicalRequest) async throws -> LogicalResponse? {
        let path = request.path
        switch request.operation {
        case .read:
            guard !Self.isFolder(path), let bytes = try await request.storage.get(path) else {
                throw LogicalError.notFound
            }
            let stored = try JSONParser.parse(bytes)
            return LogicalResponse(data: stored.objectValue ?? [:])
        case .list:
            let prefix = path.isEmpty || path.hasSuffix("/") ? path : path + "/"
            return .list(try await request.storage.list(prefix: prefix))
        case .create, .update:
            guard !Self.isFolder(path) else { throw LogicalError.badRequest("cannot write to a path ending in '/'") }
            guard !request.data.isEmpty else { throw LogicalError.badRequest("missing data fields") }
            try Self.checkStorable(path)
            try await request.storage.put(path, value: JSONValue.object(request.data).serialized())
            return nil
        case .delete:
            guard !Self.isFolder(path) else { return nil }
            try Self.checkStorable(path)
            try await request.storage.delete(path)
            return nil
        case .patch, .header:
            throw LogicalError.unsupportedOperation
        }
    }

    func existenceCheck(_ request: LogicalRequest) async throws -> Bool? {
        guard !Self.isFolder(request.path) else { return false }
        return try await request.storage.get(request.path) != nil
    }

    /// The mount root and anything ending in `/` name folders, never stored entries.
    private static func isFolder(_ path: String) -> Bool { path.isEmpty || path.hasSuffix("/") }

    /// Storage keys cannot hold NUL (SQLite text ends there), so such a path is the client's mistake to report
    /// as a 400, not a storage failure (500). Reads need no check: no stored key holds NUL, so they find nothing.
    static func checkStorable(_ path: String) throws {
        if path.utf8.contains(0) { throw LogicalError.badRequest("path must not contain NUL characters") }
    }
}
