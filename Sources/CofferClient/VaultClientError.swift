/// Failures that happen on the client side, before or instead of a server answer.
///
/// ```swift
/// do { _ = try await client.read("secret/data/app") }
/// catch let error as VaultClientError { print(error) }   // e.g. Get "http://…": connection refused
/// ```
public enum VaultClientError: Error, Sendable, CustomStringConvertible, Equatable {
    /// `VAULT_ADDR` (or the given address) is not an http(s) URL.
    case invalidAddress(String)
    /// The request never got an HTTP answer (connection refused, timeout, TLS failure).
    case transport(method: String, url: String, message: String)
    /// A body that should be JSON was not.
    case invalidJSON(String)
    /// The token helper file could not be read or written.
    case tokenHelper(String)
    /// The environment or the TLS files name something unusable (`could not parse VAULT_SKIP_VERIFY`, a CA file
    /// without certificates, a client certificate without its key).
    case configuration(String)

    public var description: String {
        switch self {
        case .invalidAddress(let address):
            return "error parsing address \(address.debugDescription): must be an http:// or https:// URL"
        case .transport(let method, let url, let message):
            // Go's net/http wording: `Get "https://…": <cause>`.
            return "\(method.prefix(1).uppercased())\(method.dropFirst().lowercased()) \"\(url)\": \(message)"
        case .invalidJSON(let message):
            return "error parsing JSON response: \(message)"
        case .tokenHelper(let message), .configuration(let message):
            return message
        }
    }
}
