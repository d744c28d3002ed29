import CofferFramework
import CofferPolicy
import Foundation

/// The `sys/` backend: mounts, auth methods, policies, capabilities and the KV preflight
/// (docs/system.md). The raw status endpoints (health, seal-status, leader, init) are served by
/// the HTTP layer from ``Core/status()``.
struct SystemBackend: Sendable {
    let core: Core

    var backend: FrameworkBackend {
        let mountFields: [String: FieldSchema] = [
            "path": FieldSchema(.string, description: "Mount path"),
            "type": FieldSchema(.string, description: "Backend type"),
            "description": FieldSchema(.string, description: "Human-readable description"),
            "config": FieldSchema(.raw, description: "Mount configuration (TTLs, token type, …)"),
            "options": FieldSchema(.raw, description: "Backend options (e.g. KV version)"),
            "local": FieldSchema(.bool, description: "Local to this cluster"),
            "seal_wrap": FieldSchema(.bool, description: "Seal-wrap the mount"),
            "external_entropy_access": FieldSchema(.bool, description: "External entropy"),
            "plugin_name": FieldSchema(.string, description: "Deprecated: type"),
            "plugin_version": FieldSchema(.string, description: "Plugin version"),
        ]
        let tuneFields: [String: FieldSchema] = [
            "path": FieldSchema(.string, description: "Mount path"),
            "default_lease_ttl": FieldSchema(.raw, description: "Default lease TTL or \"system\""),
            "max_lease_ttl": FieldSchema(.raw, description: "Max lease TTL or \"system\""),
            "description": FieldSchema(.string, description: "Description"),
            "audit_non_hmac_request_keys": FieldSchema(
                .commaStringSlice, description: "Request keys not hashed in audit"),
            "audit_non_hmac_response_keys": FieldSchema(
                .commaStringSlice, description: "Response keys not hashed in audit"),
            "listing_visibility": FieldSchema(.string, description: "\"unauth\" lists the mount without a token"),
            "passthrough_request_headers": FieldSchema(.commaStringSlice, description: "Headers passed to the backend"),
            "allowed_response_headers": FieldSchema(.commaStringSlice, description: "Headers a backend may set"),
            "token_type": FieldSchema(.string, description: "Token type for auth mounts"),
            "options": FieldSchema(.raw, description: "Backend options"),
            "force_no_cache": FieldSchema(.bool, description: "Disable caching"),
            "plugin_version": FieldSchema(.string, description: "Plugin version"),
        ]
        let policyFields: [String: FieldSchema] = [
            "name": FieldSchema(.string, description: "Policy name"),
            "policy": FieldSchema(.string, description: "Policy text (HCL or JSON, optionally base64)"),
            "rules": FieldSchema(.string, description: "Deprecated: policy", deprecated: true),
        ]
        let capabilityFields: [String: FieldSchema] = [
            "paths": FieldSchema(.commaStringSlice, description: "Paths to check"),
            "path": FieldSchema(.commaStringSlice, description: "Deprecated: paths", deprecated: true),
            "token": FieldSchema(.string, description: "Token to check"),
            "accessor": FieldSchema(.string, description: "Accessor of the token to check"),
        ]
        var paths: [PathDefinition] = []
        for kind in [MountEntry.Kind.credential, .secrets] {
            let root = kind == .credential ? "auth" : "mounts"
            paths.append(
                PathDefinition(
                    root,
                    operations: [.read: PathOperation("List \(root)") { _, _ in listMounts(kind) }],
                    synopsis: "List mounted \(kind == .credential ? "auth methods" : "secrets engines")"))
            paths.append(
                PathDefinition(
                    root + "/{path*}/tune", fields: tuneFields,
                    operations: [
                        .read: PathOperation("Read mount tuning") { _, fields in
                            try readTune(kind, fields.string("path"))
                        },
                        .update: PathOperation("Tune a mount") { request, fields in
                            try await core.tuneMount(path: fields.string("path"), kind: kind, data: request.data)
                            return nil
                        },
                    ], synopsis: "Tune a mount"))
            paths.append(
                PathDefinition(
                    root + "/{path*}", fields: mountFields,
                    operations: [
                        .read: PathOperation("Read a mount") { _, fields in try readMount(kind, fields.string("path"))
                        },
                        .update: PathOperation("Enable a mount") { request, fields in
                            var data = request.data
                            if data["type"]?.stringValue?.isEmpty ?? true, let plugin = data["plugin_name"] {
                                data["type"] = plugin
                            }
                            try await core.enableMount(path: fields.string("path"), kind: kind, data: data)
                            return nil
                        },
                        .delete: PathOperation("Disable a mount") { _, fields in
                            try await core.disableMount(path: fields.string("path"), kind: kind)
                            return nil
                        },
                    ], synopsis: "Enable, read or disable a mount"))
        }
        paths += [
            PathDefinition(
                "policy",
                operations: [
                    .read: PathOperation("List policies") { _, _ in
                        let names = try await core.unsealed().policies.names()
                        return LogicalResponse(
                            data: ["keys": .strings(names), "policies": .strings(names)], injectDataAtTopLevel: true)
                    }
                ], synopsis: "List ACL policies"),
            PathDefinition(
                "policy/{name*}", fields: policyFields,
                operations: [
                    .read: PathOperation("Read a policy") { _, fields in try await readPolicy(fields, key: "rules") },
                    .update: PathOperation("Write a policy") { try await writePolicy($0, $1) },
                    .delete: PathOperation("Delete a policy") { _, fields in try await deletePolicy(fields) },
                ], synopsis: "Manage ACL policies"),
            PathDefinition(
                "policies/acl/?",
                operations: [
                    .list: PathOperation("List ACL policies") { _, _ in
                        .list(try await core.unsealed().policies.names())
                    }
                ], synopsis: "List ACL policies"),
            PathDefinition(
                "policies/acl/{name*}", fields: policyFields,
                operations: [
                    .read: PathOperation("Read an ACL policy") { _, fields in
                        try await readPolicy(fields, key: "policy")
                    },
                    .update: PathOperation("Write an ACL policy") { try await writePolicy($0, $1) },
                    .delete: PathOperation("Delete an ACL policy") { _, fields in try await deletePolicy(fields) },
                ], synopsis: "Manage ACL policies"),
            PathDefinition(
                "capabilities-self", fields: capabilityFields,
                operations: [
                    .update: PathOperation("Capabilities of the calling token") { request, fields in
                        guard
                            let entry = try await core.resolveToken(
                                request.clientToken, remoteAddress: request.remoteAddress)
                        else { throw LogicalError.invalidToken }
                        return try await capabilities(entry, fields)
                    }
                ], synopsis: "Capabilities of the calling token on paths"),
            PathDefinition(
                "capabilities", fields: capabilityFields,
                operations: [
                    .update: PathOperation("Capabilities of a token") { request, fields in
                        guard let entry = try await core.resolveToken(fields.string("token"), remoteAddress: nil) else {
                            throw LogicalError.badRequest("invalid token")
                        }
                        return try await capabilities(entry, fields)
                    }
                ], synopsis: "Capabilities of a token on paths"),
            PathDefinition(
                "capabilities-accessor", fields: capabilityFields,
                operations: [
                    .update: PathOperation("Capabilities of a token by accessor") { request, fields in
                        guard
                            let entry = try await core.unsealed().tokens.lookup(
                                accessor: fields.string("accessor"), now: core.now)
                        else { throw LogicalError.badRequest("invalid accessor") }
                        return try await capabilities(entry, fields)
                    }
                ], synopsis: "Capabilities of a token (by accessor) on paths"),
            PathDefinition(
                "internal/ui/mounts",
                operations: [
                    .read: PathOperation("Mounts visible to the caller") { request, _ in
                        try await uiMounts(request)
                    }
                ], synopsis: "Mounts visible to the caller", unauthenticated: true),
            PathDefinition(
                "internal/ui/mounts/{path*}",
                fields: ["path": FieldSchema(.string, description: "Path inside a mount")],
                operations: [
                    .read: PathOperation("The mount owning a path") { request, fields in
                        try await uiMount(request, path: fields.string("path"))
                    }
                ], synopsis: "The mount that owns a path (KV version detection)", unauthenticated: true),
            PathDefinition(
                "key-status",
                operations: [
                    .read: PathOperation("Encryption key status") { _, _ in
                        let status = core.barrier.keyStatus()
                        return LogicalResponse(
                            data: [
                                "term": .int(Int64(status.term)),
                                "install_time": .string(RFC3339.string(status.installTime)),
                            ],
                            injectDataAtTopLevel: true)
                    }
                ], synopsis: "Barrier encryption key status"),
            PathDefinition(
                "rotate",
                operations: [
                    .update: PathOperation("Rotate the barrier encryption key") { _, _ in
                        _ = try await core.barrier.rotate()
                        return nil
                    }
                ], synopsis: "Rotate the barrier encryption key"),
        ]
        // Vault's root-protected system paths, including those Coffer does not implement yet
        // (docs/policies.md § Sudo and root-protected paths).
        return FrameworkBackend(
            kind: .secrets, paths: paths, help: "The system backend: control, policy and debugging.",
            sudoPaths: ["auth/*", "rotate", "seal", "step-down", "raw*", "audit", "audit/*"])
    }

    // MARK: mounts

    func listMounts(_ kind: MountEntry.Kind) -> LogicalResponse {
        var data: [String: JSONValue] = [:]
        for entry in core.mountTable(kind) { data[entry.path] = .object(entry.info()) }
        return LogicalResponse(data: data, injectDataAtTopLevel: true)
    }

    func mountEntry(_ kind: MountEntry.Kind, _ rawPath: String) throws -> MountEntry {
        let path = Core.normalizeMountPath(rawPath)
        guard let entry = core.mountTable(kind).first(where: { $0.path == path }) else {
            throw LogicalError.badRequest("No \(kind == .credential ? "auth" : "secret") engine mount at \(path)")
        }
        return entry
    }

    func readMount(_ kind: MountEntry.Kind, _ path: String) throws -> LogicalResponse {
        LogicalResponse(data: try mountEntry(kind, path).info(), injectDataAtTopLevel: true)
    }

    func readTune(_ kind: MountEntry.Kind, _ path: String) throws -> LogicalResponse {
        let entry: MountEntry
        do {
            entry = try mountEntry(kind, path)
        } catch {
            throw LogicalError.badRequest("cannot fetch sysview for path \"\(Core.normalizeMountPath(path))\"")
        }
        return LogicalResponse(data: core.tuneInfo(entry), injectDataAtTopLevel: true)
    }

    // MARK: policies

    func policyName(_ fields: FieldData) throws -> (String, [String]) {
        let raw = try fields.string("name")
        guard !raw.isEmpty else { throw LogicalError.badRequest("policy name must be provided in the URL") }
        let lower = raw.lowercased()
        return (lower, lower == raw ? [] : ["policy name was converted to \(lower)"])
    }

    func readPolicy(_ fields: FieldData, key: String) async throws -> LogicalResponse? {
        let (name, _) = try policyName(fields)
        if name == "root" {
            return LogicalResponse(data: ["name": "root", key: ""], injectDataAtTopLevel: true)
        }
        guard let policy = try await core.unsealed().policies.policy(name) else { return nil }
        return LogicalResponse(data: ["name": .string(name), key: .string(policy.text)], injectDataAtTopLevel: true)
    }

    func writePolicy(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        var (name, warnings) = try policyName(fields)
        if name == "root" { throw LogicalError.badRequest("cannot update \"root\" policy") }
        if PolicyStore.reservedNames.contains(name) {
            throw LogicalError.badRequest("cannot update \"\(name)\" policy")
        }
        var text = try fields.string("policy")
        if text.isEmpty, fields.has("rules") {
            text = try fields.string("rules")
            warnings.append("'rules' is deprecated, please use 'policy' instead")
        }
        guard !text.isEmpty else { throw LogicalError.badRequest("'policy' parameter not supplied or empty") }
        try await core.unsealed().policies.write(name: name, text: text)
        return warnings.isEmpty ? nil : LogicalResponse(warnings: warnings)
    }

    func deletePolicy(_ fields: FieldData) async throws -> LogicalResponse? {
        let (name, _) = try policyName(fields)
        if name == "root" { throw LogicalError.badRequest("cannot delete \"root\" policy") }
        if name == "default" { throw LogicalError.badRequest("cannot delete default policy") }
        try await core.unsealed().policies.delete(name: name)
        return nil
    }

    // MARK: capabilities

    func capabilities(_ entry: TokenEntry, _ fields: FieldData) async throws -> LogicalResponse {
        var paths = try fields.stringSlice("paths")
        if paths.isEmpty { paths = try fields.stringSlice("path") }
        guard !paths.isEmpty else { throw LogicalError.badRequest("paths must be supplied") }
        let acl = try await core.acl(for: entry)
        var data: [String: JSONValue] = [:]
        for path in paths {
            var trimmed = path
            while trimmed.hasPrefix("/") { trimmed.removeFirst() }
            data[path] = .strings(acl.capabilities(path: trimmed))
        }
        if paths.count == 1 { data["capabilities"] = data[paths[0]] }
        return LogicalResponse(data: data, injectDataAtTopLevel: true)
    }

    // MARK: KV preflight

    func preflightDenied(_ path: String) -> LogicalError {
        LogicalError(
            status: 403,
            messages: [
                "preflight capability check returned 403, please ensure client's policies grant access to path \"\(path)\""
            ])
    }

    func uiMount(_ request: LogicalRequest, path rawPath: String) async throws -> LogicalResponse? {
        guard let token = request.clientToken, !token.isEmpty else { throw LogicalError.permissionDenied }
        guard let entry = try await core.resolveToken(token, remoteAddress: request.remoteAddress) else {
            throw LogicalError.permissionDenied
        }
        var path = rawPath
        while path.hasPrefix("/") { path.removeFirst() }
        if !path.hasSuffix("/") { path += "/" }
        guard let (route, _) = core.router.match(path) else { throw preflightDenied(path) }
        let acl = try await core.acl(for: entry)
        guard acl.grantsAnything(underMount: route.mount.routePrefix) else { throw preflightDenied(path) }
        var data = route.mount.info()
        data["path"] = .string(route.mount.path)
        return LogicalResponse(data: data)
    }

    func uiMounts(_ request: LogicalRequest) async throws -> LogicalResponse? {
        var entry: TokenEntry? = nil
        if let token = request.clientToken, !token.isEmpty {
            entry = try await core.resolveToken(token, remoteAddress: request.remoteAddress)
        }
        var acl: ACL? = nil
        if let entry { acl = try await core.acl(for: entry) }
        var secret: [String: JSONValue] = [:]
        var auth: [String: JSONValue] = [:]
        for route in core.router.all {
            let mount = route.mount
            let info: [String: JSONValue]
            if let acl, acl.grantsAnything(underMount: mount.routePrefix) {
                info = mount.info()
            } else if mount.config.listingVisibility == "unauth" {
                info = [
                    "type": .string(mount.type), "description": .string(mount.description),
                    "options": .stringMap(mount.options),
                ]
            } else {
                continue
            }
            if mount.kind == .credential {
                auth[mount.path] = .object(info)
            } else {
                secret[mount.path] = .object(info)
            }
        }
        return LogicalResponse(data: ["secret": .object(secret), "auth": .object(auth)])
    }
}
