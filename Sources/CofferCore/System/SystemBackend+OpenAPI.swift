import CofferFramework
import CofferPolicy
import Foundation

/// `sys/internal/specs/openapi`: one OpenAPI 3 document built from the path table of every mounted backend the
/// caller may see (docs/openapi.md). Without a token only mounts tuned `listing_visibility=unauth` contribute; with
/// one, every mount the token's ACL grants anything under.
///
///     GET sys/internal/specs/openapi   → {"openapi":"3.0.2","info":{…},"paths":{"/secret/data/{path}":{…}},…}
extension SystemBackend {
    func openAPIPaths() -> [PathDefinition] {
        let operation = PathOperation("The OpenAPI document of the mounted backends") { request, _ in
            let document = try await openAPIDocument(request)
            return .raw(document)
        }
        return [
            PathDefinition(
                "internal/specs/openapi", operations: [.read: operation, .update: operation],
                synopsis: "Generate an OpenAPI 3 document of all mounted paths", unauthenticated: true)
        ]
    }

    func openAPIDocument(_ request: LogicalRequest) async throws -> JSONValue {
        var acl: ACL? = nil
        if let token = request.clientToken, !token.isEmpty,
            let entry = try await core.resolveToken(token, remoteAddress: request.remoteAddress)
        {
            acl = try await core.acl(for: entry)
        }
        var paths: [String: JSONValue] = [:]
        for route in core.router.all.sorted(by: { $0.mount.routePrefix < $1.mount.routePrefix }) {
            let mount = route.mount
            let visible =
                acl.map { $0.grantsAnything(underMount: mount.routePrefix) }
                ?? (mount.config.listingVisibility == "unauth")
            guard visible else { continue }
            let items = Self.openAPIItems(of: route)
            paths.merge(OpenAPIPathTable.prefixed(items, mountPrefix: mount.routePrefix, tag: Self.openAPITag(mount))) {
                first, _ in first
            }
        }
        Self.makeOperationIDsUnique(&paths)
        return [
            "openapi": "3.0.2",
            "info": [
                "title": "HashiCorp Vault API",
                "description":
                    "HTTP API that gives you full access to Coffer. All API routes are prefixed with `/v1/`.",
                "version": .string(CofferVersion.string),
            ],
            "paths": .object(paths),
            "components": ["schemas": [:]],
        ]
    }

    /// A backend's own items (its `?help=1` fragment); a backend without a table (KV v1) is one catch-all path.
    static func openAPIItems(of route: RouteEntry) -> [String: JSONValue] {
        if let items = route.backend.help(for: "")?.data?["openapi"]?["paths"]?.objectValue { return items }
        let operation: (String) -> JSONValue = { method in
            ["operationId": .string(method + "-path"), "responses": ["200": ["description": "OK"]]]
        }
        return [
            "/{path}": [
                "description": "Any path in the mount",
                "parameters": [["name": "path", "in": "path", "required": true, "schema": ["type": "string"]]],
                "get": operation("get"), "post": operation("post"), "delete": operation("delete"),
            ]
        ]
    }

    static func openAPITag(_ mount: MountEntry) -> String {
        switch (mount.kind, mount.type) {
        case (.credential, _): return "auth"
        case (_, "system"): return "system"
        case (_, "identity"): return "identity"
        default: return "secrets"
        }
    }

    /// OpenAPI requires operation ids unique across the document; a clash (two templates slugging alike) gets a
    /// numeric suffix.
    static func makeOperationIDsUnique(_ paths: inout [String: JSONValue]) {
        var seen = Set<String>()
        for key in paths.keys.sorted() {
            guard var item = paths[key]?.objectValue else { continue }
            for method in ["get", "post", "patch", "delete", "head"] {
                guard var operation = item[method]?.objectValue, let id = operation["operationId"]?.stringValue
                else { continue }
                var unique = id
                var counter = 2
                while seen.contains(unique) {
                    unique = "\(id)-\(counter)"
                    counter += 1
                }
                seen.insert(unique)
                operation["operationId"] = .string(unique)
                item[method] = .object(operation)
            }
            paths[key] = .object(item)
        }
    }
}
