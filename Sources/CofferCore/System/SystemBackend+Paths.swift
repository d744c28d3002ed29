import CofferFramework
import CofferPolicy
import Foundation

/// The `sys/` path table grouped by concern; ``SystemBackend/backend`` concatenates the groups
/// in this order, which is the router's order:
///
///     let paths = mountPaths(.credential) + mountPaths(.secrets) + policyPaths() + …
extension SystemBackend {
    static var mountFields: [String: FieldSchema] {
        [
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
    }

    static var tuneFields: [String: FieldSchema] {
        [
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
    }

    static var policyFields: [String: FieldSchema] {
        [
            "name": FieldSchema(.string, description: "Policy name"),
            "policy": FieldSchema(.string, description: "Policy text (HCL or JSON, optionally base64)"),
            "rules": FieldSchema(.string, description: "Deprecated: policy", deprecated: true),
        ]
    }

    static var capabilityFields: [String: FieldSchema] {
        [
            "paths": FieldSchema(.commaStringSlice, description: "Paths to check"),
            "path": FieldSchema(.commaStringSlice, description: "Deprecated: paths", deprecated: true),
            "token": FieldSchema(.string, description: "Token to check"),
            "accessor": FieldSchema(.string, description: "Accessor of the token to check"),
        ]
    }

    /// Listing, tuning, enabling, reading and disabling the mounts of one kind (`auth/…` or `mounts/…`).
    func mountPaths(_ kind: MountEntry.Kind) -> [PathDefinition] {
        let mountFields = Self.mountFields
        let tuneFields = Self.tuneFields
        let root = kind == .credential ? "auth" : "mounts"
        return [
            PathDefinition(
                root,
                operations: [.read: PathOperation("List \(root)") { _, _ in listMounts(kind) }],
                synopsis: "List mounted \(kind == .credential ? "auth methods" : "secrets engines")"),
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
                ], synopsis: "Tune a mount"),
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
                ], synopsis: "Enable, read or disable a mount"),
        ]
    }

    /// Reading, writing, listing and deleting ACL policies under `policy/` and `policies/acl/`.
    func policyPaths() -> [PathDefinition] {
        let policyFields = Self.policyFields
        return [
            PathDefinition(
                "policy",
                operations: [
                    .read: PathOperation("List policies") { _, _ in
                        let started = ContinuousClock.now
                        let names = try await core.unsealed().policies.names()
                        core.metrics.policyOperation(
                            .listPolicies, milliseconds: CofferMetrics.milliseconds(since: started))
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
                        let started = ContinuousClock.now
                        defer {
                            core.metrics.policyOperation(
                                .listPolicies, milliseconds: CofferMetrics.milliseconds(since: started))
                        }
                        return .list(try await core.unsealed().policies.names())
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
        ]
    }

    /// A token's capabilities on paths: the caller's, by token, or by accessor.
    func capabilityPaths() -> [PathDefinition] {
        let capabilityFields = Self.capabilityFields
        return [
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
        ]
    }

    /// The UI's unauthenticated mount discovery.
    func uiPaths() -> [PathDefinition] {
        [
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
        ]
    }

    /// The barrier encryption key: its status and rotation.
    func barrierKeyPaths() -> [PathDefinition] {
        [
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
    }
}
