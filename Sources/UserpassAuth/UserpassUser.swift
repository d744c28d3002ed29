import CofferFramework

/// A user of the userpass method (`users/<name>`): the bcrypt hash of the password (never the password) and the
/// shared ``TokenParams`` group for the tokens its logins get, with the deprecated spellings Vault's userpass keeps
/// (`policies`, `ttl`, `max_ttl`, `bound_cidrs`).
///
/// ```swift
/// var user = UserpassUser()
/// user.passwordHash = try await PasswordHasher.hash(password)
/// try user.applyTokenFields(fields)
/// data = user.readData()            // no password, no hash
/// ```
struct UserpassUser: Sendable, Equatable {
    /// bcrypt's `$2b$10$…` text.
    var passwordHash = ""
    var token = TokenParams()
    var legacy = TokenParams.Legacy()

    static let legacyFieldNames: Set<String> = ["policies", "ttl", "max_ttl", "bound_cidrs"]

    /// The fields of `users/<name>`.
    static let fields: [String: FieldSchema] = {
        var fields: [String: FieldSchema] = [
            "username": FieldSchema(.string, description: "Username for this user"),
            "password": FieldSchema(.string, description: "Password for this user"),
        ]
        fields.merge(TokenParams.fields) { own, _ in own }
        fields.merge(TokenParams.deprecatedFields(legacyFieldNames)) { own, _ in own }
        return fields
    }()

    /// Applies the `token_*` fields and their deprecated spellings of a user write.
    mutating func applyTokenFields(_ fields: FieldData) throws {
        try token.parse(fields)
        try legacy.upgrade(fields, into: &token)
    }

    /// The `data` of a user read (Vault's: the token group, plus the deprecated spellings that are set).
    func readData() -> [String: JSONValue] {
        var data = token.readData()
        data.merge(legacy.readData()) { own, _ in own }
        return data
    }
}

extension UserpassUser: Codable {
    enum CodingKeys: String, CodingKey {
        case passwordHash
    }

    /// The token group and the deprecated values are stored flat beside the hash.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        passwordHash = try container.decodeIfPresent(String.self, forKey: .passwordHash) ?? ""
        token = try TokenParams(from: decoder)
        legacy = try TokenParams.Legacy(from: decoder)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(passwordHash, forKey: .passwordHash)
        try token.encode(to: encoder)
        try legacy.encode(to: encoder)
    }
}
