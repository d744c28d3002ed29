/// What a storage index points at: the role a role id belongs to (`role_id/<hmac>`), or the secret id an
/// accessor names (`accessor/<role>/<hmac>`).
///
/// ```swift
/// try await storage.putJSON("role_id/" + salt.hmac(roleID), AppRoleIndexEntry(target: role.name))
/// ```
struct AppRoleIndexEntry: Codable, Sendable {
    var target: String
}
