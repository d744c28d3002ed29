import CofferFramework
import CofferStorage
import Foundation

extension AppRoleBackend {
    func existingRole(_ storage: any Storage, _ name: String, status: Int = 400) async throws -> AppRole {
        guard let role = try await role(storage, name) else {
            throw LogicalError(status: status, messages: ["role \"\(name)\" does not exist"])
        }
        return role
    }

    func generateSecretID(_ request: LogicalRequest, _ fields: FieldData, custom: String?) async throws
        -> LogicalResponse?
    {
        let role = try await existingRole(request.storage, fields.string("role_name"), status: 404)
        if !role.bindSecretID { throw LogicalError.badRequest("bind_secret_id is not set on the role") }
        var entry = AppRoleSecretID(
            accessor: UUID().uuidString.lowercased(), numUses: try Self.numUses(fields, role),
            ttl: try Self.ttl(fields, role, mountMaxTTL: request.mountMaxTTL), now: now())
        entry.metadata = try Self.metadata(fields)
        entry.cidrList = try Self.subsetCIDRs(
            fields, "cidr_list", of: role.secretIDBoundCIDRs, what: "CIDR blocks")
        entry.tokenBoundCIDRs = try Self.subsetCIDRs(
            fields, "token_bound_cidrs", of: role.token.boundCIDRs, what: "token CIDR blocks")
        let secretID = custom ?? UUID().uuidString.lowercased()
        try await register(secretID, entry, role: role.name, request.storage)
        return LogicalResponse(data: [
            "secret_id": .string(secretID), "secret_id_accessor": .string(entry.accessor),
            "secret_id_ttl": .int(entry.ttl), "secret_id_num_uses": .int(entry.numUses),
        ])
    }

    /// Stores the entry under the secret id's HMAC and its accessor index; an id already registered is refused.
    func register(_ secretID: String, _ entry: AppRoleSecretID, role: String, _ storage: any Storage) async throws {
        let salt = try await salt(storage)
        let hmac = salt.hmac(secretID)
        let key = Self.secretIDPrefix(role) + hmac
        try await locks.withLock(key) {
            if try await storage.get(key) != nil {
                throw LogicalError(
                    status: 500, messages: ["failed to store secret_id: SecretID is already registered"],
                    isMultiError: true)
            }
            try await storage.putJSON(
                Self.accessorPrefix(role) + salt.hmac(entry.accessor), AppRoleIndexEntry(target: hmac))
            try await storage.putJSON(key, entry)
        }
    }

    static func numUses(_ fields: FieldData, _ role: AppRole) throws -> Int64 {
        guard fields.has("num_uses") else { return role.secretIDNumUses }
        let uses = try fields.int("num_uses")
        if uses < 0 { throw LogicalError.badRequest("num_uses cannot be negative") }
        if role.secretIDNumUses > 0, uses == 0 || uses > role.secretIDNumUses {
            throw LogicalError.badRequest("num_uses cannot be higher than the role's secret_id_num_uses")
        }
        if uses > TokenParams.maxNumUses {
            throw LogicalError.badRequest("num_uses must be between 0 and \(TokenParams.maxNumUses)")
        }
        return uses
    }

    /// The secret id's lifetime: the request's or the role's, never beyond the mount's maximum.
    static func ttl(_ fields: FieldData, _ role: AppRole, mountMaxTTL: Int64) throws -> Int64 {
        var ttl = role.secretIDTTL
        if fields.has("ttl") {
            ttl = try fields.duration("ttl")
            if ttl < 0 { throw LogicalError.badRequest("ttl cannot be negative") }
            if role.secretIDTTL > 0, ttl == 0 || ttl > role.secretIDTTL {
                throw LogicalError.badRequest("ttl cannot be longer than the role's secret_id_ttl")
            }
        }
        if mountMaxTTL > 0, ttl > mountMaxTTL { ttl = mountMaxTTL }
        return ttl
    }

    /// `metadata` is a string holding a JSON object of strings (as hvac sends it); an object is taken as it is.
    static func metadata(_ fields: FieldData) throws -> [String: String] {
        guard let value = fields.value("metadata"), !value.isNull else { return [:] }
        var object = value
        if case .string(let text) = value {
            if text.isEmpty { return [:] }
            guard let parsed = try? JSONParser.parse(Array(text.utf8)) else {
                throw LogicalError.badRequest("failed to parse metadata: invalid JSON")
            }
            object = parsed
        }
        guard case .object = object else {
            throw LogicalError.badRequest("failed to parse metadata: expected an object")
        }
        return try FieldData(raw: ["metadata": object], schema: ["metadata": FieldSchema(.keyPairs)])
            .keyPairs("metadata")
    }

    /// CIDR blocks a secret id names, each inside one of the role's (when the role names any).
    static func subsetCIDRs(_ fields: FieldData, _ name: String, of roleCIDRs: [String], what: String) throws
        -> [String]
    {
        let cidrs = try fields.stringSlice(name)
        guard let blocks = Optional(cidrs.compactMap(CIDR.parse)), blocks.count == cidrs.count else {
            throw LogicalError.badRequest("failed to validate CIDR blocks: invalid CIDR in \(cidrs)")
        }
        let roleBlocks = roleCIDRs.compactMap(CIDR.parse)
        guard !roleBlocks.isEmpty else { return cidrs }
        let inside = blocks.allSatisfy { block in
            roleBlocks.contains { $0.prefixLength <= block.prefixLength && CIDR.contains($0, address: block.bytes) }
        }
        if !inside {
            throw LogicalError.badRequest(
                "failed to verify subset relationship between \(what) on the role \(goQuoted(roleCIDRs)) and \(what) on the secret ID \(goQuoted(cidrs))"
            )
        }
        return cidrs
    }

    /// Go's `%q` of a string slice: `["a" "b"]`.
    static func goQuoted(_ values: [String]) -> String {
        "[" + values.map { "\"\($0)\"" }.joined(separator: " ") + "]"
    }

    func listAccessors(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let role = try await existingRole(request.storage, fields.string("role_name"))
        var accessors: [String] = []
        let prefix = Self.secretIDPrefix(role.name)
        for hmac in try await request.storage.list(prefix: prefix) where !hmac.hasSuffix("/") {
            if let entry = try await request.storage.getJSON(AppRoleSecretID.self, prefix + hmac) {
                accessors.append(entry.accessor)
            }
        }
        return accessors.isEmpty ? nil : .list(accessors.sorted())
    }

    func lookupSecretID(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let secretID = try fields.string("secret_id")
        if secretID.isEmpty { throw LogicalError.badRequest("missing secret_id") }
        let role = try await existingRole(request.storage, fields.string("role_name"))
        let hmac = try await salt(request.storage).hmac(secretID)
        let entry = try await request.storage.getJSON(AppRoleSecretID.self, Self.secretIDPrefix(role.name) + hmac)
        return entry.map { LogicalResponse(data: $0.lookupData()) }
    }

    func destroySecretID(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let secretID = try fields.string("secret_id")
        if secretID.isEmpty { throw LogicalError.badRequest("missing secret_id") }
        let role = try await existingRole(request.storage, fields.string("role_name"))
        let salt = try await salt(request.storage)
        try await destroySecretID(request.storage, role: role.name, hmac: salt.hmac(secretID), salt: salt)
        return nil
    }

    /// Deletes one secret id and its accessor index, serialised with logins of the same id.
    func destroySecretID(_ storage: any Storage, role: String, hmac: String, salt: AppRoleSalt) async throws {
        let key = Self.secretIDPrefix(role) + hmac
        try await locks.withLock(key) {
            if let entry = try await storage.getJSON(AppRoleSecretID.self, key) {
                try await storage.delete(Self.accessorPrefix(role) + salt.hmac(entry.accessor))
            }
            try await storage.delete(key)
        }
    }

    /// The secret id's HMAC an accessor names, or Vault's error with `status` (404 on lookup, 500 on destroy).
    func secretIDHMAC(_ request: LogicalRequest, _ fields: FieldData, status: Int) async throws -> (AppRole, String) {
        let accessor = try fields.string("secret_id_accessor")
        if accessor.isEmpty { throw LogicalError.badRequest("missing secret_id_accessor") }
        let role = try await existingRole(request.storage, fields.string("role_name"))
        let salt = try await salt(request.storage)
        guard
            let index = try await request.storage.getJSON(
                AppRoleIndexEntry.self, Self.accessorPrefix(role.name) + salt.hmac(accessor))
        else {
            throw LogicalError(
                status: status, messages: ["failed to find accessor entry for secret_id_accessor: \"\(accessor)\""])
        }
        return (role, index.target)
    }

    func lookupByAccessor(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let (role, hmac) = try await secretIDHMAC(request, fields, status: 404)
        let entry = try await request.storage.getJSON(AppRoleSecretID.self, Self.secretIDPrefix(role.name) + hmac)
        return entry.map { LogicalResponse(data: $0.lookupData()) }
    }

    func destroyByAccessor(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let (role, hmac) = try await secretIDHMAC(request, fields, status: 500)
        let salt = try await salt(request.storage)
        try await destroySecretID(request.storage, role: role.name, hmac: hmac, salt: salt)
        // The index may outlive its secret id (an interrupted delete): it goes too.
        let accessor = try fields.string("secret_id_accessor")
        try await request.storage.delete(Self.accessorPrefix(role.name) + salt.hmac(accessor))
        return nil
    }
}
