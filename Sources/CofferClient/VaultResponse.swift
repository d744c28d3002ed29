import CofferJSON
import Foundation

/// One HTTP answer from a Vault-compatible server: status, headers, raw body and the parsed JSON.
///
/// ```swift
/// let response = try await client.request("GET", "auth/token/lookup-self")
/// let policies = response.data?["policies"]?.stringArray
/// ```
public struct VaultResponse: Sendable {
    public let statusCode: Int
    /// Header names lower-cased; repeated headers joined with `, `.
    public let headers: [String: String]
    public let body: Data
    /// The body parsed as JSON; `nil` for an empty or non-JSON body.
    public let json: JSONValue?

    public init(statusCode: Int, headers: [String: String], body: Data) {
        self.statusCode = statusCode
        self.headers = headers
        self.body = body
        let trimmed = body.drop(while: { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
        self.json = trimmed.isEmpty ? nil : try? JSONValue(parsing: Data(trimmed))
    }

    public var isSuccess: Bool { (200..<400).contains(statusCode) }

    /// The envelope's `data` object, if it has one.
    public var data: [String: JSONValue]? { json?["data"]?.objectValue }
    /// The envelope's `auth` block, if present and not null.
    public var auth: [String: JSONValue]? { json?["auth"]?.objectValue }
    public var wrapInfo: [String: JSONValue]? { json?["wrap_info"]?.objectValue }
    public var warnings: [String] { json?["warnings"]?.stringArray ?? [] }
    public var leaseID: String { json?["lease_id"]?.stringValue ?? "" }
    public var leaseDuration: Int64 { json?["lease_duration"]?.intValue ?? 0 }
    public var renewable: Bool { json?["renewable"]?.boolValue ?? false }
    public var requestID: String { json?["request_id"]?.stringValue ?? "" }

    /// Whether the body carries a secret worth returning, following the Go client's rule for
    /// 404s: a body with `data` or `warnings` is a secret, `{"errors":[]}` or nothing is not.
    public var carriesSecret: Bool {
        guard let object = json?.objectValue else { return false }
        let hasData = !(data?.isEmpty ?? true)
        return hasData || !warnings.isEmpty || (object["auth"]?.objectValue != nil)
    }
}
