import CofferClient
import Foundation

/// The `key=value` arguments of `coffer login -method=approle`: `role_id` (required), `secret_id` (required unless
/// the role does not bind one; `-` reads it from stdin so it stays out of the shell history) and `mount` (default
/// `approle`).
///
/// ```swift
/// let login = try AppRoleLoginArguments.parse(["role_id=7f0c…", "secret_id=-"])
/// ```
struct AppRoleLoginArguments {
    var roleID: String
    var secretID: String?
    var mount: String

    static let keys: Set<String> = ["role_id", "secret_id", "mount"]

    static func parse(_ arguments: [String]) throws -> AppRoleLoginArguments {
        var values: [String: String] = [:]
        for (key, value) in try KeyValueArguments.parse(arguments) {
            guard keys.contains(key) else {
                throw KeyValueArguments.ParseError(
                    description:
                        "unknown key \(GoQuote.quote(key)) for the approle method (expected one of \(keys.sorted().joined(separator: ", ")))"
                )
            }
            guard let text = value.stringValue else {
                throw KeyValueArguments.ParseError(description: "\(key) was given more than once")
            }
            values[key] = text.trimmed
        }
        guard let roleID = values["role_id"], !roleID.isEmpty else {
            throw KeyValueArguments.ParseError(description: "'role_id' must be specified")
        }
        var secretID = values["secret_id"]
        if secretID == "-" { secretID = String(decoding: Console.readStandardInput(), as: UTF8.self).trimmed }
        let mount = values["mount"].map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "/")) } ?? ""
        return AppRoleLoginArguments(roleID: roleID, secretID: secretID, mount: mount.isEmpty ? "approle" : mount)
    }

    var loginPath: String { "auth/\(mount)/login" }

    var body: [String: JSONValue] {
        var body: [String: JSONValue] = ["role_id": .string(roleID)]
        if let secretID { body["secret_id"] = .string(secretID) }
        return body
    }
}
