import CofferFramework

extension AppRoleBackend {
    static let generateFields: [String: FieldSchema] = [
        "role_name": roleNameField,
        "metadata": FieldSchema(.raw, description: "A JSON object of strings, as a string, kept with the secret id"),
        "cidr_list": FieldSchema(
            .commaStringSlice, description: "CIDR blocks logins with this secret id may come from"),
        "token_bound_cidrs": FieldSchema(.commaStringSlice, description: "CIDR blocks the issued tokens are bound to"),
        "num_uses": FieldSchema(.int, description: "Uses of this secret id; 0 = unlimited"),
        "ttl": FieldSchema(.duration, description: "Lifetime of this secret id"),
    ]

    var secretIDPaths: [PathDefinition] {
        let secretIDField = [
            "role_name": Self.roleNameField, "secret_id": FieldSchema(.string, description: "A secret id"),
        ]
        let accessorField = [
            "role_name": Self.roleNameField,
            "secret_id_accessor": FieldSchema(.string, description: "The accessor of a secret id"),
        ]
        return [
            PathDefinition(
                "role/{role_name}/secret-id/?", fields: Self.generateFields,
                operations: [
                    .update: PathOperation("Generate a secret id") {
                        try await self.generateSecretID($0, $1, custom: nil)
                    },
                    .list: PathOperation("List secret id accessors") { try await self.listAccessors($0, $1) },
                ],
                synopsis: "Generate secret ids, or list their accessors"),
            PathDefinition(
                "role/{role_name}/custom-secret-id",
                fields: Self.generateFields.merging(["secret_id": FieldSchema(.string, description: "The secret id")]) {
                    own, _ in own
                },
                operations: [
                    .update: PathOperation("Register a secret id chosen by the caller") { request, fields in
                        let secretID = try fields.string("secret_id")
                        if secretID.isEmpty { throw LogicalError.badRequest("missing secret_id") }
                        return try await self.generateSecretID(request, fields, custom: secretID)
                    }
                ],
                synopsis: "Register a custom secret id"),
            PathDefinition(
                "role/{role_name}/secret-id/lookup/?", fields: secretIDField,
                operations: [.update: PathOperation("Look up a secret id") { try await self.lookupSecretID($0, $1) }],
                synopsis: "Read a secret id's properties"),
            PathDefinition(
                "role/{role_name}/secret-id/destroy/?", fields: secretIDField,
                operations: [
                    .update: PathOperation("Destroy a secret id") { try await self.destroySecretID($0, $1) },
                    .delete: PathOperation("Destroy a secret id") { try await self.destroySecretID($0, $1) },
                ],
                synopsis: "Destroy a secret id"),
            PathDefinition(
                "role/{role_name}/secret-id-accessor/lookup/?", fields: accessorField,
                operations: [
                    .update: PathOperation("Look up a secret id by accessor") { request, fields in
                        try await self.lookupByAccessor(request, fields)
                    }
                ],
                synopsis: "Read a secret id's properties by its accessor"),
            PathDefinition(
                "role/{role_name}/secret-id-accessor/destroy/?", fields: accessorField,
                operations: [
                    .update: PathOperation("Destroy a secret id by accessor") {
                        try await self.destroyByAccessor($0, $1)
                    },
                    .delete: PathOperation("Destroy a secret id by accessor") {
                        try await self.destroyByAccessor($0, $1)
                    },
                ],
                synopsis: "Destroy a secret id by its accessor"),
        ]
    }
}
