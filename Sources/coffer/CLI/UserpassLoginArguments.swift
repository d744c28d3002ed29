import CofferClient
import Foundation

/// The `key=value` arguments of `coffer login -method=userpass`, as Vault's userpass CLI handler reads them:
/// `username` (default: `$LOGNAME`, `$USER` or `$USERNAME`), `password` (asked for, without echo, when absent),
/// `mount` (default `userpass`).
///
/// ```swift
/// let login = try UserpassLoginArguments.parse(["username=alice"], environment: env)
/// let password = try login.password ?? SecretPrompt.read("Password (will be hidden): ", to: .standardError)
/// ```
struct UserpassLoginArguments {
    var username: String
    var password: String?
    var mount: String

    static let keys: Set<String> = ["username", "password", "mount"]

    static func parse(_ arguments: [String], environment: [String: String]) throws -> UserpassLoginArguments {
        var values: [String: String] = [:]
        for (key, value) in try KeyValueArguments.parse(arguments) {
            guard keys.contains(key) else {
                throw KeyValueArguments.ParseError(
                    description:
                        "unknown key \(GoQuote.quote(key)) for the userpass method (expected one of \(keys.sorted().joined(separator: ", ")))"
                )
            }
            guard let text = value.stringValue else {
                throw KeyValueArguments.ParseError(description: "\(key) was given more than once")
            }
            values[key] = text
        }
        let fromEnvironment = ["LOGNAME", "USER", "USERNAME"].lazy.compactMap { environment[$0] }.first { !$0.isEmpty }
        guard let username = values["username"] ?? fromEnvironment, !username.isEmpty else {
            throw KeyValueArguments.ParseError(description: "'username' must be specified")
        }
        let mount = values["mount"].map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "/")) } ?? ""
        return UserpassLoginArguments(
            username: username, password: values["password"], mount: mount.isEmpty ? "userpass" : mount)
    }

    /// `auth/<mount>/login/<username>`, the username path-escaped.
    var loginPath: String {
        let escaped = username.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(["/"]))
        return "auth/\(mount)/login/\(escaped ?? username)"
    }
}
