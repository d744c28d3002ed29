import CofferFramework
import Foundation

extension IdentityBackend {
    static var groupAliasFields: [String: FieldSchema] {
        [
            "id": FieldSchema(.string, description: "ID of the group alias."),
            "name": FieldSchema(
                .string,
                description: "Alias of the group: the group's name at the auth method (e.g. an Entra group object id)."),
            "mount_accessor": FieldSchema(.string, description: "Mount accessor to which this alias belongs to."),
            "canonical_id": FieldSchema(.string, description: "ID of the group to which this is an alias."),
        ]
    }

    func upsertGroupAlias(_ fields: FieldData, id: String?) async throws -> LogicalResponse? {
        let accessor = try Self.optionalString(fields, "mount_accessor").flatMap { $0.isEmpty ? nil : $0 }
        if id == nil || id?.isEmpty == true {
            if try Self.optionalString(fields, "name")?.isEmpty ?? true {
                throw LogicalError.badRequest("missing alias name")
            }
            if accessor == nil { throw LogicalError.badRequest("missing mount_accessor") }
        }
        let result = try await identity.upsertGroupAlias(
            id: id, name: Self.optionalString(fields, "name"), mount: accessor.map { try mount(accessor: $0) },
            canonicalID: Self.optionalString(fields, "canonical_id"))
        return Self.aliasAnswer(id: result.alias.id, canonicalID: result.alias.canonicalID, changed: result.changed)
    }

    func groupAliasPaths() -> [PathDefinition] {
        let fields = Self.groupAliasFields
        return [
            PathDefinition(
                "group-alias/?", fields: fields,
                operations: [
                    .update: PathOperation("Create or update a group alias") { _, fields in
                        try await upsertGroupAlias(fields, id: Self.optionalString(fields, "id"))
                    }
                ], synopsis: "Create a new group alias, or update one by id"),
            PathDefinition(
                "group-alias/id/{id}", fields: fields,
                operations: [
                    .read: PathOperation("Read a group alias") { _, fields in
                        try await identity.groupAlias(id: fields.string("id")).map {
                            LogicalResponse(data: $0.alias.info())
                        }
                    },
                    .update: PathOperation("Update a group alias") { _, fields in
                        try await upsertGroupAlias(fields, id: fields.string("id"))
                    },
                    .delete: PathOperation("Delete a group alias") { _, fields in
                        try await identity.deleteGroupAlias(id: fields.string("id"))
                        return nil
                    },
                ], synopsis: "Read, update or delete a group alias by id"),
            PathDefinition(
                "group-alias/id/?",
                operations: [
                    .list: PathOperation("List group aliases") { _, _ in
                        var keys: [String] = []
                        var info: [String: JSONValue] = [:]
                        for id in try await identity.groupAliasIDs() {
                            guard let (_, alias) = try await identity.groupAlias(id: id) else { continue }
                            keys.append(id)
                            info[id] = [
                                "name": .string(alias.name), "canonical_id": .string(alias.canonicalID),
                                "mount_accessor": .string(alias.mountAccessor), "mount_type": .string(alias.mountType),
                                "mount_path": .string(alias.mountPath),
                            ]
                        }
                        return Self.list(keys, info: info)
                    }
                ], synopsis: "List group aliases by id"),
        ]
    }
}
