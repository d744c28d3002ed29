import CofferFramework
import Foundation

extension IdentityBackend {
    static var entityFields: [String: FieldSchema] {
        [
            "id": FieldSchema(.string, description: "ID of the entity. If set, updates the corresponding entity."),
            "name": FieldSchema(.string, description: "Name of the entity"),
            "policies": FieldSchema(.commaStringSlice, description: "Policies to be tied to the entity."),
            "metadata": FieldSchema(.keyPairs, description: "Metadata to be associated with the entity."),
            "disabled": FieldSchema(
                .bool,
                description:
                    "If set true, tokens tied to this identity will not be able to be used (but will not be revoked)."),
        ]
    }

    func entityUpdate(_ fields: FieldData) throws -> EntityUpdate {
        EntityUpdate(
            id: try Self.optionalString(fields, "id"), name: try Self.optionalString(fields, "name"),
            metadata: try Self.metadata(fields),
            policies: fields.has("policies") ? try fields.stringSlice("policies") : nil,
            disabled: fields.has("disabled") ? try fields.bool("disabled") : nil)
    }

    /// Vault's answers to an upsert: 200 with the new entity's id, 204 for an update.
    static func upsertAnswer(_ result: (entity: Entity, created: Bool)) -> LogicalResponse? {
        guard result.created else { return nil }
        return LogicalResponse(data: [
            "id": .string(result.entity.id), "name": .string(result.entity.name), "aliases": .null,
        ])
    }

    func entityPaths() -> [PathDefinition] {
        let fields = Self.entityFields
        return [
            PathDefinition(
                "entity/?", fields: fields,
                operations: [
                    .update: PathOperation("Create or update an entity") { _, fields in
                        Self.upsertAnswer(try await identity.upsertEntity(try entityUpdate(fields)))
                    }
                ], synopsis: "Create a new entity, or update an existing one by id or name"),
            PathDefinition(
                "entity/id/{id}", fields: fields,
                operations: [
                    .read: PathOperation("Read an entity") { _, fields in
                        guard let entity = try await identity.entity(id: fields.string("id")) else { return nil }
                        return try await entityData(entity)
                    },
                    .update: PathOperation("Update an entity") { _, fields in
                        var update = try entityUpdate(fields)
                        update.id = try fields.string("id")
                        guard try await identity.entity(id: update.id ?? "") != nil else {
                            throw LogicalError.badRequest("entity not found from id")
                        }
                        return Self.upsertAnswer(try await identity.upsertEntity(update))
                    },
                    .delete: PathOperation("Delete an entity") { _, fields in
                        try await identity.deleteEntities([fields.string("id")])
                        return nil
                    },
                ], synopsis: "Read, update or delete an entity by id"),
            PathDefinition(
                "entity/name/{name}", fields: fields,
                operations: [
                    .read: PathOperation("Read an entity by name") { _, fields in
                        guard let entity = try await identity.entity(name: fields.string("name")) else { return nil }
                        return try await entityData(entity)
                    },
                    .update: PathOperation("Create or update an entity by name") { _, fields in
                        var update = try entityUpdate(fields)
                        update.id = nil
                        return Self.upsertAnswer(try await identity.upsertEntity(update))
                    },
                    .delete: PathOperation("Delete an entity by name") { _, fields in
                        if let entity = try await identity.entity(name: fields.string("name")) {
                            try await identity.deleteEntities([entity.id])
                        }
                        return nil
                    },
                ], synopsis: "Create, read, update or delete an entity by name"),
        ]
    }

    /// Lists, batch deletion and merging.
    func entityListPaths() -> [PathDefinition] {
        [
            PathDefinition(
                "entity/id/?",
                operations: [.list: PathOperation("List entity ids") { _, _ in try await listEntities(byName: false) }],
                synopsis: "List entities by id"),
            PathDefinition(
                "entity/name/?",
                operations: [
                    .list: PathOperation("List entity names") { _, _ in try await listEntities(byName: true) }
                ],
                synopsis: "List entities by name"),
            PathDefinition(
                "entity/batch-delete",
                fields: ["entity_ids": FieldSchema(.commaStringSlice, description: "Entity IDs to delete")],
                operations: [
                    .update: PathOperation("Delete entities") { _, fields in
                        let ids = try fields.stringSlice("entity_ids")
                        if ids.isEmpty { throw LogicalError.badRequest("missing entity ids to delete") }
                        try await identity.deleteEntities(ids)
                        return nil
                    }
                ], synopsis: "Delete several entities at once"),
            PathDefinition(
                "entity/merge",
                fields: [
                    "from_entity_ids": FieldSchema(.commaStringSlice, description: "Entity IDs to be merged"),
                    "to_entity_id": FieldSchema(
                        .string, description: "Entity ID into which all the other entities need to get merged"),
                    "conflicting_alias_ids_to_keep": FieldSchema(
                        .commaStringSlice, description: "Alias IDs to keep in case of conflicting aliases"),
                    "force": FieldSchema(
                        .bool, description: "Accepted for compatibility; Coffer keeps no MFA secrets to conflict"),
                ],
                operations: [
                    .update: PathOperation("Merge entities") { _, fields in
                        try await identity.mergeEntities(
                            from: fields.stringSlice("from_entity_ids"), to: fields.string("to_entity_id"),
                            keep: fields.stringSlice("conflicting_alias_ids_to_keep"))
                        return nil
                    }
                ], synopsis: "Merge two or more entities together"),
        ]
    }

    /// `key_info` is keyed by entity id for both lists, as in Vault.
    func listEntities(byName: Bool) async throws -> LogicalResponse? {
        let entities = try await identity.allEntities().sorted { byName ? $0.name < $1.name : $0.id < $1.id }
        var info: [String: JSONValue] = [:]
        for entity in entities {
            info[entity.id] = ["name": .string(entity.name), "aliases": .array(entity.aliases.map { $0.listInfo() })]
        }
        return Self.list(entities.map { byName ? $0.name : $0.id }, info: info)
    }
}
