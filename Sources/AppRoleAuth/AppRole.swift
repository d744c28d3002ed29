import CofferFramework

/// One AppRole role as stored at `role/<name>`: who may log in (role id, secret-id and CIDR constraints) and the
/// token settings its logins receive.
///
/// ```swift
/// var role = AppRole(name: "ci", roleID: UUID().uuidString.lowercased())
/// try role.token.parse(fields)
/// try role.checkConstraints()
/// ```
struct AppRole: Codable, Sendable, Equatable {
    var name: String
    var roleID: String
    var bindSecretID = true
    var secretIDBoundCIDRs: [String] = []
    /// 0 = unlimited.
    var secretIDNumUses: Int64 = 0
    /// Seconds; 0 = never expires.
    var secretIDTTL: Int64 = 0
    var localSecretIDs = false
    var token = TokenParams()
    var legacy = TokenParams.Legacy()

    init(name: String, roleID: String) {
        self.name = name
        self.roleID = roleID
    }

    /// Whether anything stops an anonymous caller who knows only the role id.
    var hasConstraints: Bool { bindSecretID || !secretIDBoundCIDRs.isEmpty || !token.boundCIDRs.isEmpty }

    /// A role without a constraint would let anyone with the role id log in, so Vault refuses to store one.
    func checkConstraints() throws {
        if !hasConstraints {
            throw LogicalError(
                status: 500, messages: ["at least one constraint should be enabled on the role"], isMultiError: true)
        }
    }

    /// The role as `GET role/<name>` shows it.
    func readData() -> [String: JSONValue] {
        var data = token.readData()
        data["bind_secret_id"] = .bool(bindSecretID)
        data["secret_id_bound_cidrs"] = secretIDBoundCIDRs.isEmpty ? .null : .strings(secretIDBoundCIDRs)
        data["secret_id_num_uses"] = .int(secretIDNumUses)
        data["secret_id_ttl"] = .int(secretIDTTL)
        data["local_secret_ids"] = .bool(localSecretIDs)
        data.merge(legacy.readData()) { own, _ in own }
        return data
    }
}
