import CofferFramework
import Foundation

extension IdentityBackend {
    static var lookupFields: [String: FieldSchema] {
        [
            "id": FieldSchema(.string, description: "ID of the entity or group."),
            "name": FieldSchema(.string, description: "Name of the entity or group."),
            "alias_id": FieldSchema(.string, description: "ID of the alias."),
            "alias_name": FieldSchema(.string, description: "Name of the alias; with alias_mount_accessor."),
            "alias_mount_accessor": FieldSchema(
                .string, description: "Accessor of the alias's mount; with alias_name."),
        ]
    }

    /// The one criterion of a lookup, refused as Vault refuses none, several, or half of the alias pair.
    enum LookupCriterion {
        case id(String), name(String), aliasID(String), alias(name: String, accessor: String)
    }

    static func criterion(_ fields: FieldData) throws -> LookupCriterion {
        let value = { (name: String) throws -> String? in
            let text = try optionalString(fields, name)
            return text?.isEmpty == false ? text : nil
        }
        let (id, name, aliasID) = (try value("id"), try value("name"), try value("alias_id"))
        let (aliasName, accessor) = (try value("alias_name"), try value("alias_mount_accessor"))
        if (aliasName == nil) != (accessor == nil) {
            throw LogicalError.badRequest("both 'alias_name' and 'alias_mount_accessor' needs to be set")
        }
        let given = [id != nil, name != nil, aliasID != nil, aliasName != nil].filter { $0 }.count
        if given == 0 { throw LogicalError.badRequest("query parameter not supplied") }
        if given > 1 {
            throw LogicalError.badRequest("query parameter conflict; please supply distinct set of query parameters")
        }
        if let id { return .id(id) }
        if let name { return .name(name) }
        if let aliasID { return .aliasID(aliasID) }
        return .alias(name: aliasName ?? "", accessor: accessor ?? "")
    }

    /// Found: the read answer; not found: nil, which an update answers with 204 as Vault does.
    func lookupPaths() -> [PathDefinition] {
        let fields = Self.lookupFields
        return [
            PathDefinition(
                "lookup/entity", fields: fields,
                operations: [
                    .update: PathOperation("Look up an entity") { _, fields in
                        guard let entity = try await lookupEntity(Self.criterion(fields)) else { return nil }
                        return try await entityData(entity)
                    }
                ], synopsis: "Look up an entity by id, name or alias"),
            PathDefinition(
                "lookup/group", fields: fields,
                operations: [
                    .update: PathOperation("Look up a group") { _, fields in
                        try await lookupGroup(Self.criterion(fields)).map { LogicalResponse(data: $0.info()) }
                    }
                ], synopsis: "Look up a group by id, name or alias"),
        ]
    }

    func lookupEntity(_ criterion: LookupCriterion) async throws -> Entity? {
        let identity = try self.identity
        switch criterion {
        case .id(let id): return try await identity.entity(id: id)
        case .name(let name): return try await identity.entity(name: name)
        case .aliasID(let id): return try await identity.entityAlias(id: id)?.entity
        case .alias(let name, let accessor):
            return try await identity.entity(aliasName: name, mountAccessor: accessor)
        }
    }

    func lookupGroup(_ criterion: LookupCriterion) async throws -> IdentityGroup? {
        let identity = try self.identity
        switch criterion {
        case .id(let id): return try await identity.group(id: id)
        case .name(let name): return try await identity.group(name: name)
        case .aliasID(let id): return try await identity.groupAlias(id: id)?.group
        case .alias(let name, let accessor):
            guard let id = try await identity.groupID(aliasName: name, mountAccessor: accessor) else { return nil }
            return try await identity.group(id: id)
        }
    }
}
