import CofferFramework
import Foundation

extension IdentityBackend {
    static var entityAliasFields: [String: FieldSchema] {
        [
            "id": FieldSchema(.string, description: "ID of the entity alias. If set, updates the corresponding alias."),
            "name": FieldSchema(.string, description: "Name of the alias"),
            "mount_accessor": FieldSchema(.string, description: "Mount accessor to which this alias belongs to"),
            "canonical_id": FieldSchema(.string, description: "Entity ID to which this alias belongs"),
            "entity_id": FieldSchema(
                .string, description: "Entity ID to which this alias belongs (deprecated form of canonical_id)"),
            "custom_metadata": FieldSchema(.keyPairs, description: "User provided key-value pairs"),
        ]
    }

    func entityAliasUpdate(_ fields: FieldData) throws -> EntityAliasUpdate {
        let accessor = try Self.optionalString(fields, "mount_accessor")
        return EntityAliasUpdate(
            id: try Self.optionalString(fields, "id"), name: try Self.optionalString(fields, "name"),
            mount: try accessor.map { try mount(accessor: $0) },
            canonicalID: try Self.optionalString(fields, "canonical_id") ?? Self.optionalString(fields, "entity_id"),
            customMetadata: try Self.customMetadata(fields))
    }

    /// Vault's limits on operator-set alias metadata.
    static func customMetadata(_ fields: FieldData) throws -> [String: String]? {
        guard let metadata = try metadata(fields, "custom_metadata") else { return nil }
        if metadata.count > 64 {
            throw LogicalError.badRequest("custom_metadata cannot contain more than 64 entries")
        }
        for (key, value) in metadata {
            if key.utf8.isEmpty || key.utf8.count > 128 {
                throw LogicalError.badRequest("custom_metadata key \"\(key)\" must be 1 to 128 bytes long")
            }
            if value.utf8.isEmpty || value.utf8.count > 512 {
                throw LogicalError.badRequest("custom_metadata value of key \"\(key)\" must be 1 to 512 bytes long")
            }
            if (key + value).unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
                throw LogicalError.badRequest(
                    "custom_metadata key \"\(key)\" or its value contains unprintable characters")
            }
        }
        return metadata
    }

    /// 200 with the alias's ids when something changed, 204 when nothing did.
    static func aliasAnswer(id: String, canonicalID: String, changed: Bool) -> LogicalResponse? {
        changed ? LogicalResponse(data: ["id": .string(id), "canonical_id": .string(canonicalID)]) : nil
    }

    func entityAliasPaths() -> [PathDefinition] {
        let fields = Self.entityAliasFields
        let upsert: OperationHandler = { _, fields in
            let result = try await identity.upsertEntityAlias(try entityAliasUpdate(fields))
            return Self.aliasAnswer(id: result.alias.id, canonicalID: result.alias.canonicalID, changed: result.changed)
        }
        return [
            PathDefinition(
                "entity-alias/?", fields: fields,
                operations: [.update: PathOperation("Create or update an alias", handler: upsert)],
                synopsis: "Create a new alias, or update one by id or by mount and name"),
            PathDefinition(
                "entity-alias/id/{id}", fields: fields,
                operations: [
                    .read: PathOperation("Read an alias") { _, fields in
                        try await identity.entityAlias(id: fields.string("id")).map {
                            LogicalResponse(data: $0.alias.info())
                        }
                    },
                    .update: PathOperation("Update an alias", handler: upsert),
                    .delete: PathOperation("Delete an alias") { _, fields in
                        try await identity.deleteEntityAlias(id: fields.string("id"))
                        return nil
                    },
                ], synopsis: "Read, update or delete an entity alias by id"),
            PathDefinition(
                "entity-alias/id/?",
                operations: [
                    .list: PathOperation("List entity aliases") { _, _ in
                        var keys: [String] = []
                        var info: [String: JSONValue] = [:]
                        for id in try await identity.entityAliasIDs() {
                            guard let (_, alias) = try await identity.entityAlias(id: id) else { continue }
                            keys.append(id)
                            info[id] = [
                                "name": .string(alias.name), "canonical_id": .string(alias.canonicalID),
                                "mount_accessor": .string(alias.mountAccessor), "mount_type": .string(alias.mountType),
                                "mount_path": .string(alias.mountPath), "local": false,
                                "custom_metadata": .stringMap(
                                    alias.customMetadata?.isEmpty == false ? alias.customMetadata : nil),
                            ]
                        }
                        return Self.list(keys, info: info)
                    }
                ], synopsis: "List entity aliases by id"),
        ]
    }
}
