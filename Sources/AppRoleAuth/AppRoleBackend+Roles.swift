import CofferFramework
import CofferStorage
import Foundation

extension AppRoleBackend {
    static let roleFields: [String: FieldSchema] = TokenParams.fields
        .merging(TokenParams.deprecatedFields(["policies", "period"])) { own, _ in own }
        .merging([
            "role_name": roleNameField,
            "bind_secret_id": FieldSchema(.bool, default: true, description: "Require a secret id at login"),
            "secret_id_bound_cidrs": FieldSchema(
                .commaStringSlice, description: "CIDR blocks logins with this role's secret ids may come from"),
            "bound_cidr_list": FieldSchema(
                .commaStringSlice, description: "Deprecated: use secret_id_bound_cidrs", deprecated: true),
            "secret_id_num_uses": FieldSchema(.int, description: "Uses of each secret id; 0 = unlimited"),
            "secret_id_ttl": FieldSchema(.duration, description: "Lifetime of each secret id; 0 = unlimited"),
            "local_secret_ids": FieldSchema(.bool, description: "Keep secret ids local to this cluster"),
            "role_id": FieldSchema(.string, description: "Identifier of the role; a random UUID by default"),
        ]) { own, _ in own }

    var rolePaths: [PathDefinition] {
        [
            PathDefinition(
                "role/?",
                operations: [
                    .list: PathOperation("List roles") { request, _ in
                        let names = try await request.storage.list(prefix: "role/").filter { !$0.hasSuffix("/") }
                        return names.isEmpty ? nil : .list(names)
                    }
                ],
                synopsis: "List the roles"),
            PathDefinition(
                "role/{role_name}", fields: Self.roleFields,
                operations: [
                    .read: PathOperation("Read a role") { try await self.readRole($0, $1) },
                    .create: PathOperation("Create a role") { try await self.writeRole($0, $1) },
                    .update: PathOperation("Update a role") { try await self.writeRole($0, $1) },
                    .delete: PathOperation("Delete a role and its secret ids") { try await self.deleteRole($0, $1) },
                ],
                existenceCheck: { request, fields in
                    try await self.role(request.storage, fields.string("role_name")) != nil
                },
                synopsis: "Manage a role"),
            PathDefinition(
                "role/{role_name}/role-id",
                fields: ["role_name": Self.roleNameField, "role_id": FieldSchema(.string, description: "The role id")],
                operations: [
                    .read: PathOperation("Read the role id") { request, fields in
                        guard let role = try await self.role(request.storage, fields.string("role_name")) else {
                            return nil
                        }
                        return LogicalResponse(data: ["role_id": .string(role.roleID)])
                    },
                    .update: PathOperation("Set the role id") { try await self.updateRoleID($0, $1) },
                ],
                synopsis: "The role id of a role"),
        ]
    }

    func readRole(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        guard let role = try await role(request.storage, fields.string("role_name")) else { return nil }
        var warnings: [String] = []
        if !role.hasConstraints {
            warnings.append(
                "Role does not have any constraints set on it. Updates to this role will require a constraint to be set"
            )
        }
        return LogicalResponse(data: role.readData(), warnings: warnings)
    }

    func writeRole(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let name = try fields.string("role_name")
        return try await locks.withLock("role/" + name) {
            let existing = try await role(request.storage, name)
            var role = existing ?? AppRole(name: name, roleID: UUID().uuidString.lowercased())
            var warnings = try Self.apply(fields, to: &role, creating: existing == nil)
            warnings += try Self.checkAgainstMount(role, mountMaxTTL: request.mountMaxTTL)
            try await store(role, previousRoleID: existing?.roleID, request.storage)
            return warnings.isEmpty ? nil : LogicalResponse(warnings: warnings)
        }
    }

    /// Applies a role write's fields; returns its warnings.
    static func apply(_ fields: FieldData, to role: inout AppRole, creating: Bool) throws -> [String] {
        if fields.has("role_id") {
            let roleID = try fields.string("role_id")
            if roleID.isEmpty { throw LogicalError.badRequest("role_id cannot be empty") }
            role.roleID = roleID
        }
        if fields.has("bind_secret_id") { role.bindSecretID = try fields.bool("bind_secret_id") }
        let cidrField = fields.has("secret_id_bound_cidrs") ? "secret_id_bound_cidrs" : "bound_cidr_list"
        if fields.has(cidrField) {
            let cidrs = try fields.stringSlice(cidrField)
            if cidrs.contains(where: { CIDR.parse($0) == nil }) { throw LogicalError.badRequest("invalid CIDR blocks") }
            role.secretIDBoundCIDRs = cidrs
        }
        if fields.has("secret_id_num_uses") {
            let uses = try fields.int("secret_id_num_uses")
            if uses < 0 { throw LogicalError.badRequest("secret_id_num_uses cannot be negative") }
            if uses > TokenParams.maxNumUses {
                throw LogicalError.badRequest("secret_id_num_uses must be between 0 and \(TokenParams.maxNumUses)")
            }
            role.secretIDNumUses = uses
        }
        if fields.has("secret_id_ttl") {
            let ttl = try fields.duration("secret_id_ttl")
            if ttl < 0 { throw LogicalError.badRequest("secret_id_ttl cannot be negative") }
            role.secretIDTTL = ttl
        }
        if fields.has("local_secret_ids") {
            guard creating else {
                throw LogicalError.badRequest("local_secret_ids can only be modified during role creation")
            }
            role.localSecretIDs = try fields.bool("local_secret_ids")
        }
        return try applyTokenFields(fields, to: &role)
    }

    /// The shared `token_*` group, with `default-service`/`default-batch` accepted as Vault's AppRole does.
    static func applyTokenFields(_ fields: FieldData, to role: inout AppRole) throws -> [String] {
        var warnings: [String] = []
        var effective = fields
        if fields.has("token_type"),
            let adjusted = ["default-service": "service", "default-batch": "batch"][
                try fields.string("token_type")]
        {
            warnings.append("\(try fields.string("token_type")) has no useful meaning; adjusting to \(adjusted)")
            var raw = fields.raw
            raw["token_type"] = .string(adjusted)
            effective = FieldData(raw: raw, schema: fields.schema)
        }
        try role.token.parse(effective)
        try role.legacy.upgrade(effective, into: &role.token)
        try role.token.validate()
        try role.checkConstraints()
        return warnings
    }

    static func checkAgainstMount(_ role: AppRole, mountMaxTTL: Int64) throws -> [String] {
        guard mountMaxTTL > 0 else { return [] }
        if role.token.period > mountMaxTTL {
            throw LogicalError.badRequest(
                "period of \"\(DurationParser.goString(role.token.period))\" is greater than the backend's maximum lease TTL of \"\(DurationParser.goString(mountMaxTTL))\""
            )
        }
        if role.token.maxTTL > mountMaxTTL {
            return [
                "token_max_ttl is greater than the backend mount's maximum TTL value; issued tokens' max TTL value will be truncated"
            ]
        }
        return []
    }

    /// Writes the role and its role-id index; a role id another role holds is refused.
    func store(_ role: AppRole, previousRoleID: String?, _ storage: any Storage) async throws {
        let salt = try await salt(storage)
        let indexKey = Self.roleIDKey(salt.hmac(role.roleID))
        try await locks.withLock("\u{0}role_id") {
            if let holder = try await storage.getJSON(AppRoleIndexEntry.self, indexKey), holder.target != role.name,
                try await self.role(storage, holder.target) != nil
            {
                throw LogicalError.badRequest("role_id already in use")
            }
            try await storage.putJSON(indexKey, AppRoleIndexEntry(target: role.name))
            if let previousRoleID, previousRoleID != role.roleID {
                try await storage.delete(Self.roleIDKey(salt.hmac(previousRoleID)))
            }
            try await storage.putJSON(Self.roleKey(role.name), role)
            roles.forget()
        }
    }

    func updateRoleID(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let name = try fields.string("role_name")
        let roleID = try fields.string("role_id")
        if roleID.isEmpty { throw LogicalError.badRequest("missing role_id") }
        return try await locks.withLock("role/" + name) {
            guard var role = try await role(request.storage, name) else {
                throw LogicalError(status: 404, messages: ["role \"\(name)\" does not exist"])
            }
            let previous = role.roleID
            role.roleID = roleID
            try await store(role, previousRoleID: previous, request.storage)
            return nil
        }
    }

    func deleteRole(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let name = try fields.string("role_name")
        let storage = request.storage
        return try await locks.withLock("role/" + name) {
            guard let role = try await role(storage, name) else { return nil }
            let salt = try await salt(storage)
            for hmac in try await storage.list(prefix: Self.secretIDPrefix(name)) where !hmac.hasSuffix("/") {
                try await destroySecretID(storage, role: name, hmac: hmac, salt: salt)
            }
            for key in try await storage.list(prefix: Self.accessorPrefix(name)) where !key.hasSuffix("/") {
                try await storage.delete(Self.accessorPrefix(name) + key)
            }
            try await storage.delete(Self.roleIDKey(salt.hmac(role.roleID)))
            lockout.forget(role.roleID)
            try await storage.delete(Self.roleKey(name))
            roles.forget()
            return nil
        }
    }
}
