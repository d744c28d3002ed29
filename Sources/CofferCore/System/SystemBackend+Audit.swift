import CofferFramework

/// `sys/audit`, `sys/audit/<path>` and `sys/audit-hash/<path>` (docs/audit.md § API). Listing, enabling and
/// disabling need sudo (`audit`, `audit/*` in ``SystemBackend/backend``'s root-protected paths); hashing does not.
///
///     let paths = … + auditPaths()
extension SystemBackend {
    static var auditFields: [String: FieldSchema] {
        [
            "path": FieldSchema(.string, description: "Device path"),
            "type": FieldSchema(.string, description: "Device type: file or socket"),
            "description": FieldSchema(.string, description: "Human-readable description"),
            "options": FieldSchema(.raw, description: "Device options (string map or list of k=v)"),
            "local": FieldSchema(.raw, description: "Local to this cluster"),
        ]
    }

    func auditPaths() -> [PathDefinition] {
        let auditFields = Self.auditFields
        return [
            PathDefinition(
                "audit",
                operations: [
                    .read: PathOperation("List audit devices") { _, _ in
                        LogicalResponse(data: core.auditTable(), injectDataAtTopLevel: true)
                    }
                ], synopsis: "List the enabled audit devices"),
            PathDefinition(
                "audit-hash/{path*}",
                fields: [
                    "path": FieldSchema(.string, description: "Device path"),
                    "input": FieldSchema(.string, description: "Text to hash"),
                ],
                operations: [
                    .update: PathOperation("Hash a value with a device's salt") { _, fields in
                        let hash = try core.auditHash(path: fields.string("path"), input: fields.string("input"))
                        return LogicalResponse(data: ["hash": .string(hash)], injectDataAtTopLevel: true)
                    }
                ], synopsis: "The HMAC a device writes for a value"),
            PathDefinition(
                "audit/{path*}", fields: auditFields,
                operations: [
                    .update: PathOperation("Enable an audit device") { request, fields in
                        try await core.enableAudit(path: fields.string("path"), data: request.data)
                        return nil
                    },
                    .delete: PathOperation("Disable an audit device") { _, fields in
                        try await core.disableAudit(path: fields.string("path"))
                        return nil
                    },
                ], synopsis: "Enable or disable an audit device"),
        ]
    }
}
