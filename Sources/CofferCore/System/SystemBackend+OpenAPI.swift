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
        let operation = PathOperation("The OpenAPI document of the mounted backends") { request, fields in
            let document = try await openAPIDocument(
                request, genericMountPaths: fields.bool("generic_mount_paths"), context: fields.string("context"))
            return .raw(document)
        }
        return [
            PathDefinition(
                "internal/specs/openapi",
                fields: [
                    "generic_mount_paths": FieldSchema(
                        .bool, description: "Use generic mount paths: {<type>_mount_path} instead of each mount's path"),
                    "context": FieldSchema(.string, description: "Context string appended to every operationId"),
                ],
                operations: [.read: operation, .update: operation],
                synopsis: "Generate an OpenAPI 3 document of all mounted paths", unauthenticated: true)
        ]
    }

    func openAPIDocument(_ request: LogicalRequest, genericMountPaths: Bool = false, context: String = "")
        async throws -> JSONValue
    {
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
            let parameter = genericMountPaths ? Self.mountPathParameter(mount) : nil
            let prefixed = OpenAPIPathTable.prefixed(
                items, mountPrefix: mount.routePrefix, tag: Self.openAPITag(mount), mountParameter: parameter)
            paths.merge(prefixed) { first, _ in first }
        }
        Self.makeOperationIDsUnique(&paths, context: context)
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

    /// Vault's `{<type>_mount_path}` parameter for `generic_mount_paths`, nil for the singleton mounts (`sys/`,
    /// `identity/`, `cubbyhole/`, `auth/token/`), which stay literal. KV names its version: `kv_v2_mount_path`.
    static func mountPathParameter(_ mount: MountEntry) -> String? {
        guard !Core.builtinSecretTypes.contains(mount.type), mount.type != "token" else { return nil }
        var type = mount.type
        if type == "kv" { type = mount.options?["version"] == "2" ? "kv-v2" : "kv-v1" }
        return type.replacingOccurrences(of: "-", with: "_") + "_mount_path"
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
    static func makeOperationIDsUnique(_ paths: inout [String: JSONValue], context: String = "") {
        var seen = Set<String>()
        for key in paths.keys.sorted() {
            guard var item = paths[key]?.objectValue else { continue }
            for method in ["get", "post", "patch", "delete", "head"] {
                guard var operation = item[method]?.objectValue,
                    let id = operation["operationId"]?.stringValue.map({ context.isEmpty ? $0 : $0 + "-" + context })
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
