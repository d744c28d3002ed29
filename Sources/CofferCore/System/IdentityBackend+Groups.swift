import CofferFramework
import Foundation

extension IdentityBackend {
    static var groupFields: [String: FieldSchema] {
        [
            "id": FieldSchema(
                .string, description: "ID of the group. If set, updates the corresponding existing group."),
            "name": FieldSchema(.string, description: "Name of the group."),
            "type": FieldSchema(
                .string, description: "Type of the group, 'internal' or 'external'. Defaults to 'internal'"),
            "metadata": FieldSchema(.keyPairs, description: "Metadata to be associated with the group."),
            "policies": FieldSchema(.commaStringSlice, description: "Policies to be tied to the group."),
            "member_group_ids": FieldSchema(
                .commaStringSlice, description: "Group IDs to be assigned as group members."),
            "member_entity_ids": FieldSchema(
                .commaStringSlice, description: "Entity IDs to be assigned as group members."),
        ]
    }

    func groupUpdate(_ fields: FieldData) throws -> GroupUpdate {
        GroupUpdate(
            id: try Self.optionalString(fields, "id"), name: try Self.optionalString(fields, "name"),
            type: try Self.optionalString(fields, "type"),
            policies: fields.has("policies") ? try fields.stringSlice("policies") : nil,
            metadata: try Self.metadata(fields),
            memberEntityIDs: Self.sent(fields, "member_entity_ids") ? try fields.stringSlice("member_entity_ids") : nil,
            memberGroupIDs: Self.sent(fields, "member_group_ids") ? try fields.stringSlice("member_group_ids") : nil)
    }

    static func groupAnswer(_ result: (group: IdentityGroup, created: Bool)) -> LogicalResponse? {
        result.created
            ? LogicalResponse(data: ["id": .string(result.group.id), "name": .string(result.group.name)]) : nil
    }

    func groupPaths() -> [PathDefinition] {
        let fields = Self.groupFields
        return [
            PathDefinition(
                "group/?", fields: fields,
                operations: [
                    .update: PathOperation("Create or update a group") { _, fields in
                        Self.groupAnswer(try await identity.upsertGroup(try groupUpdate(fields)))
                    }
                ], synopsis: "Create a new group, or update one by id or name"),
            PathDefinition(
                "group/id/{id}", fields: fields,
                operations: [
                    .read: PathOperation("Read a group") { _, fields in
                        try await identity.group(id: fields.string("id")).map { LogicalResponse(data: $0.info()) }
                    },
                    .update: PathOperation("Update a group") { _, fields in
                        var update = try groupUpdate(fields)
                        update.id = try fields.string("id")
                        return Self.groupAnswer(try await identity.upsertGroup(update))
                    },
                    .delete: PathOperation("Delete a group") { _, fields in
                        try await identity.deleteGroup(id: fields.string("id"))
                        return nil
                    },
                ], synopsis: "Read, update or delete a group by id"),
            PathDefinition(
                "group/name/{name}", fields: fields,
                operations: [
                    .read: PathOperation("Read a group by name") { _, fields in
                        try await identity.group(name: fields.string("name")).map { LogicalResponse(data: $0.info()) }
                    },
                    .update: PathOperation("Create or update a group by name") { _, fields in
                        var update = try groupUpdate(fields)
                        update.id = nil
                        return Self.groupAnswer(try await identity.upsertGroup(update))
                    },
                    .delete: PathOperation("Delete a group by name") { _, fields in
                        if let group = try await identity.group(name: fields.string("name")) {
                            try await identity.deleteGroup(id: group.id)
                        }
                        return nil
                    },
                ], synopsis: "Create, read, update or delete a group by name"),
            PathDefinition(
                "group/id/?",
                operations: [.list: PathOperation("List group ids") { _, _ in try await listGroups(byName: false) }],
                synopsis: "List groups by id"),
            PathDefinition(
                "group/name/?",
                operations: [.list: PathOperation("List group names") { _, _ in try await listGroups(byName: true) }],
                synopsis: "List groups by name"),
        ]
    }

    /// `key_info` is keyed by group id for both lists, as for entities.
    func listGroups(byName: Bool) async throws -> LogicalResponse? {
        let groups = try await identity.allGroups().sorted { byName ? $0.name < $1.name : $0.id < $1.id }
        var info: [String: JSONValue] = [:]
        for group in groups { info[group.id] = group.listInfo() }
        return Self.list(groups.map { byName ? $0.name : $0.id }, info: info)
    }
}
