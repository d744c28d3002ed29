import CofferFramework
import CofferStorage
import Foundation

/// The `auth/token/` path table grouped by concern; ``TokenBackend/backend`` concatenates the
/// groups in this order, which is the router's order:
///
///     let paths = createPaths() + lookupPaths() + renewPaths() + revokePaths() + …
extension TokenBackend {
    /// The creation fields, shared by `create`, `create/{role_name}` and `create-orphan`.
    static var tokenFields: [String: FieldSchema] {
        [
            "id": FieldSchema(.string, description: "Token ID (sudo only)"),
            "role_name": FieldSchema(.string, description: "Token role"),
            "policies": FieldSchema(.commaStringSlice, description: "Policies for the token"),
            "meta": FieldSchema(.keyPairs, description: "Metadata"),
            "no_parent": FieldSchema(.bool, description: "Create an orphan token (sudo)"),
            "no_default_policy": FieldSchema(.bool, description: "Do not attach the default policy"),
            "renewable": FieldSchema(.bool, default: true, description: "Allow renewal"),
            "ttl": FieldSchema(.duration, description: "Time to live"),
            "lease": FieldSchema(.duration, description: "Deprecated alias of ttl", deprecated: true),
            "type": FieldSchema(.string, description: "service or batch"),
            "explicit_max_ttl": FieldSchema(.duration, description: "Hard lifetime cap"),
            "display_name": FieldSchema(.string, description: "Display name"),
            "num_uses": FieldSchema(.int, description: "Use limit, 0 = unlimited"),
            "period": FieldSchema(.duration, description: "Renewal period (sudo)"),
            "entity_alias": FieldSchema(.string, description: "Entity alias (roles only)"),
        ]
    }

    static var tokenField: [String: FieldSchema] { ["token": FieldSchema(.string, description: "Token to act on")] }

    static var accessorField: [String: FieldSchema] {
        ["accessor": FieldSchema(.string, description: "Token accessor")]
    }

    static var incrementField: [String: FieldSchema] {
        ["increment": FieldSchema(.duration, description: "Requested TTL extension")]
    }

    /// Token creation: with the caller as parent, from a role, or as an orphan.
    func createPaths() -> [PathDefinition] {
        let tokenFields = Self.tokenFields
        return [
            PathDefinition(
                "create-orphan", fields: tokenFields,
                operations: [
                    .update: PathOperation("Create an orphan token") { try await create($0, $1, orphanPath: true) }
                ],
                synopsis: "Create an orphan token"),
            PathDefinition(
                "create/{role_name}", fields: tokenFields,
                operations: [
                    .update: PathOperation("Create a token from a role") {
                        try await create($0, $1, orphanPath: false)
                    }
                ],
                synopsis: "Create a token from a role"),
            PathDefinition(
                "create", fields: tokenFields,
                operations: [
                    .update: PathOperation("Create a token") { try await create($0, $1, orphanPath: false) }
                ],
                synopsis: "Create a token"),
        ]
    }

    /// Looking up the calling token, a token, or a token by accessor.
    func lookupPaths() -> [PathDefinition] {
        let tokenField = Self.tokenField
        let accessorField = Self.accessorField
        return [
            PathDefinition(
                "lookup-self", fields: tokenField,
                operations: [
                    .read: PathOperation("Look up the calling token") { request, _ in try await lookupSelf(request)
                    },
                    .update: PathOperation("Look up the calling token") { request, _ in
                        try await lookupSelf(request)
                    },
                ], synopsis: "Look up the calling token"),
            PathDefinition(
                "lookup", fields: tokenField,
                operations: [
                    .read: PathOperation("Look up a token") { try await lookupOther($0, $1) },
                    .update: PathOperation("Look up a token") { try await lookupOther($0, $1) },
                ], synopsis: "Look up a token"),
            PathDefinition(
                "lookup-accessor", fields: accessorField,
                operations: [
                    .update: PathOperation("Look up a token by accessor") { try await lookupAccessor($0, $1) }
                ],
                synopsis: "Look up a token by accessor"),
        ]
    }

    /// Renewing the calling token, a token, or a token by accessor.
    func renewPaths() -> [PathDefinition] {
        let tokenField = Self.tokenField
        let accessorField = Self.accessorField
        let incrementField = Self.incrementField
        return [
            PathDefinition(
                "renew-self", fields: tokenField.merging(incrementField) { a, _ in a },
                operations: [
                    .update: PathOperation("Renew the calling token") { request, fields in
                        try await renew(
                            request, token: request.clientToken, increment: fields.duration("increment"))
                    }
                ], synopsis: "Renew the calling token"),
            PathDefinition(
                "renew", fields: tokenField.merging(incrementField) { a, _ in a },
                operations: [
                    .update: PathOperation("Renew a token") { request, fields in
                        let token = try fields.string("token")
                        guard !token.isEmpty else { throw LogicalError.badRequest("missing token ID") }
                        return try await renew(request, token: token, increment: fields.duration("increment"))
                    }
                ], synopsis: "Renew a token"),
            PathDefinition(
                "renew-accessor", fields: accessorField.merging(incrementField) { a, _ in a },
                operations: [
                    .update: PathOperation("Renew a token by accessor") { request, fields in
                        try await renewAccessor(request, fields)
                    }
                ], synopsis: "Renew a token by accessor"),
        ]
    }

    /// Revoking the calling token, a token, a token by accessor, or a token without its children.
    func revokePaths() -> [PathDefinition] {
        let tokenField = Self.tokenField
        let accessorField = Self.accessorField
        return [
            PathDefinition(
                "revoke-self",
                operations: [
                    .update: PathOperation("Revoke the calling token and its children") { request, _ in
                        if let entry = try await core.callerEntry(request) { try await revoke(entry) }
                        return nil
                    }
                ], synopsis: "Revoke the calling token"),
            PathDefinition(
                "revoke", fields: tokenField,
                operations: [
                    .update: PathOperation("Revoke a token and its children") { request, fields in
                        let token = try fields.string("token")
                        guard !token.isEmpty else { throw LogicalError.badRequest("missing token ID") }
                        if let entry = try await core.unsealed().tokens.lookup(id: token, now: core.now) {
                            try await revoke(entry)
                        }
                        return nil
                    }
                ], synopsis: "Revoke a token"),
            PathDefinition(
                "revoke-accessor", fields: accessorField,
                operations: [
                    .update: PathOperation("Revoke a token by accessor") { request, fields in
                        let accessor = try fields.string("accessor")
                        guard !accessor.isEmpty else { throw LogicalError.badRequest("missing accessor") }
                        guard let entry = try await core.unsealed().tokens.lookup(accessor: accessor, now: core.now)
                        else {
                            return LogicalResponse(warnings: ["No token found with this accessor"])
                        }
                        try await revoke(entry)
                        return nil
                    }
                ], synopsis: "Revoke a token by accessor"),
            PathDefinition(
                "revoke-orphan", fields: tokenField,
                operations: [
                    .update: PathOperation("Revoke a token, orphaning its children") { request, fields in
                        guard request.identity?.rootPrivileges == true else {
                            throw LogicalError.badRequest("root or sudo privileges required to revoke and orphan")
                        }
                        let token = try fields.string("token")
                        guard !token.isEmpty else { throw LogicalError.badRequest("missing token ID") }
                        let tokens = try core.unsealed().tokens
                        guard let entry = try await tokens.lookup(id: token, now: core.now), !entry.isBatch else {
                            throw LogicalError.badRequest("token to revoke not found")
                        }
                        try await tokens.revokeOrphan(hash: entry.idHash)
                        return nil
                    }
                ], synopsis: "Revoke a token without its children"),
        ]
    }

    /// Listing token accessors (a root-protected path).
    func accessorPaths() -> [PathDefinition] {
        [
            PathDefinition(
                "accessors/?",
                operations: [
                    .list: PathOperation("List token accessors") { _, _ in
                        .list(try await core.unsealed().tokens.accessorEntries().map(\.accessor).sorted())
                    }
                ], synopsis: "List token accessors")
        ]
    }

    /// Managing token roles.
    func rolePaths() -> [PathDefinition] {
        [
            PathDefinition(
                "roles/?",
                operations: [
                    .list: PathOperation("List token roles") { request, _ in
                        .list(try await request.storage.list(prefix: "roles/").filter { !$0.hasSuffix("/") })
                    }
                ], synopsis: "List token roles"),
            PathDefinition(
                "roles/{role_name}", fields: TokenRolePaths.fields,
                operations: [
                    .read: PathOperation("Read a token role") { try await TokenRolePaths.read($0, $1) },
                    .create: PathOperation("Create a token role") { try await TokenRolePaths.write($0, $1) },
                    .update: PathOperation("Update a token role") { try await TokenRolePaths.write($0, $1) },
                    .delete: PathOperation("Delete a token role") { request, fields in
                        try await request.storage.delete("roles/" + fields.string("role_name").lowercased())
                        return nil
                    },
                ],
                existenceCheck: { request, fields in
                    try await request.storage.get("roles/" + fields.string("role_name").lowercased()) != nil
                }, synopsis: "Manage token roles"),
        ]
    }

    /// Cleaning up the token indexes.
    func tidyPaths() -> [PathDefinition] {
        [
            PathDefinition(
                "tidy",
                operations: [
                    .update: PathOperation("Clean up token indexes") { request, _ in
                        // As Vault: one pass at a time, in the background; the result goes to the log.
                        guard try startTidy() else {
                            return LogicalResponse(warnings: ["Tidy operation already in progress."])
                        }
                        return LogicalResponse(
                            warnings: [
                                "Tidy operation successfully started. Any information from the operation will be printed to Vault's server logs."
                            ],
                            statusCode: 202)
                    }
                ], synopsis: "Clean up token indexes")
        ]
    }
}
