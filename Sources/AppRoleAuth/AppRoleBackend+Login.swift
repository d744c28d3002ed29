import CofferFramework
import CofferStorage

extension AppRoleBackend {
    static let invalidCredentials = LogicalError.badRequest("invalid role or secret ID")

    func login(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let roleID = try fields.string("role_id").trimmedWhitespace
        if roleID.isEmpty { throw LogicalError.badRequest("missing role_id") }
        if lockout.isLocked(roleID) { throw LogicalError.forbidden("permission denied") }
        let storage = request.storage
        let salt = try await salt(storage)
        let found = try await roles.role(forRoleID: roleID) {
            guard let index = try await storage.getJSON(AppRoleIndexEntry.self, Self.roleIDKey(salt.hmac(roleID)))
            else { return nil }
            return try await role(storage, index.target)
        }
        guard let role = found, role.roleID == roleID else { throw Self.invalidCredentials }
        var secretID = AppRoleSecretID(accessor: "", numUses: 0, ttl: 0, now: now())
        if role.bindSecretID {
            let given = try fields.string("secret_id").trimmedWhitespace
            if given.isEmpty { throw LogicalError.badRequest("missing secret_id") }
            do {
                secretID = try await consume(given, role: role.name, address: request.remoteAddress, storage, salt)
            } catch let error as LogicalError where error == Self.invalidCredentials {
                lockout.failed(roleID)
                throw error
            }
            lockout.succeeded(roleID)
        }
        if !role.secretIDBoundCIDRs.isEmpty, !Self.allows(role.secretIDBoundCIDRs, request.remoteAddress) {
            throw LogicalError.badRequest(
                "source address \"\(request.remoteAddress ?? "")\" unauthorized by CIDR restrictions on the role: <nil>"
            )
        }
        var metadata = secretID.metadata
        metadata["role_name"] = role.name
        var auth = Auth(
            metadata: metadata, displayName: "", alias: Alias(name: role.roleID, metadata: metadata),
            internalData: ["role_name": .string(role.name), "secret_id_accessor": .string(secretID.accessor)])
        role.token.populate(&auth)
        if !secretID.tokenBoundCIDRs.isEmpty { auth.boundCIDRs = secretID.tokenBoundCIDRs }
        return .login(auth)
    }

    static func allows(_ cidrs: [String], _ address: String?) -> Bool {
        guard let address else { return false }
        return CIDR.contains(cidrs, address: address)
    }

    /// Checks one use of a secret id and records it. Runs under the secret id's lock and re-reads the entry there,
    /// so concurrent logins with a limited id are granted exactly `num_uses` times; the last use deletes it.
    func consume(_ secretID: String, role: String, address: String?, _ storage: any Storage, _ salt: AppRoleSalt)
        async throws -> AppRoleSecretID
    {
        let key = Self.secretIDPrefix(role) + salt.hmac(secretID)
        return try await locks.withLock(key) {
            guard var entry = try await storage.getJSON(AppRoleSecretID.self, key) else {
                throw Self.invalidCredentials
            }
            let now = now()
            if entry.isExpired(at: now) {
                try await storage.delete(Self.accessorPrefix(role) + salt.hmac(entry.accessor))
                try await storage.delete(key)
                throw Self.invalidCredentials
            }
            if !entry.cidrList.isEmpty, !Self.allows(entry.cidrList, address) {
                let shown = "source address \"\(address ?? "")\""
                throw LogicalError.badRequest(
                    entry.numUses == 0
                        ? "\(shown) unauthorized through CIDR restrictions on the secret ID"
                        : "\(shown) unauthorized by CIDR restrictions on the secret ID: <nil>")
            }
            switch entry.numUses {
            case 0: break
            case 1:
                try await storage.delete(Self.accessorPrefix(role) + salt.hmac(entry.accessor))
                try await storage.delete(key)
            default:
                entry.numUses -= 1
                entry.lastUpdatedTime = now
                try await storage.putJSON(key, entry)
            }
            return entry
        }
    }

    /// Renewal applies the role's current lifetimes; a deleted role ends renewals.
    func renew(_ auth: Auth, _ request: LogicalRequest) async throws -> Auth {
        let name = auth.internalData["role_name"]?.stringValue ?? ""
        guard let role = try await role(request.storage, name) else {
            throw LogicalError.badRequest("role \"\(name)\" does not exist during renewal")
        }
        var renewed = auth
        renewed.ttl = role.token.ttl
        renewed.maxTTL = role.token.maxTTL
        renewed.period = role.token.period
        return renewed
    }
}
