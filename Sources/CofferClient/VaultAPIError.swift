import CofferJSON

import Foundation

/// A non-2xx/3xx answer from the server, rendered the way the `vault` CLI prints it.
///
/// ```swift
/// do { _ = try await client.request("GET", "secret/data/app") }
/// catch let error as VaultAPIError where error.statusCode == 403 {
///     print(error)   // Error making API request.\n\nURL: GET …\nCode: 403. Errors:\n\n* permission denied
/// }
/// ```
public struct VaultAPIError: Error, Sendable, CustomStringConvertible {
    public let method: String
    public let url: String
    public let statusCode: Int
    /// The `errors` list of the body; for a body that is not `{"errors":[…]}`, its raw text.
    public let errors: [String]
    /// True when `errors` holds the raw body text because it was not a Vault error object.
    public let isRawMessage: Bool
    /// The whole answer, for callers that need the body of an error (e.g. KV v2 deleted versions).
    public let response: VaultResponse

    public init(method: String, url: String, response: VaultResponse) {
        self.method = method
        self.url = url
        self.statusCode = response.statusCode
        self.response = response
        if let list = response.json?["errors"]?.arrayValue {
            self.errors = list.map { $0.stringValue ?? $0.formatted() }
            self.isRawMessage = false
        } else {
            self.errors = response.body.isEmpty ? [] : [String(decoding: response.body, as: UTF8.self)]
            self.isRawMessage = true
        }
    }

    public var description: String {
        let heading = isRawMessage ? "Raw Message" : "Errors"
        let list = errors.map { "* \($0)" }.joined(separator: "\n")
        return "Error making API request.\n\nURL: \(method) \(url)\nCode: \(statusCode). \(heading):\n\n\(list)"
    }
}
