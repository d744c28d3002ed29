import CofferCore
import CofferFramework

/// What tests read from a core answer, in one place for every test target.
///
/// ```swift
/// let response = await harness.request(.read, "secret/data/app")
/// #expect(response.data["data"]?.objectValue?["password"] == "s3cr3t")
/// #expect(response.errors == nil)
/// ```
extension CoreResponse {
    public var envelope: Envelope? {
        if case .envelope(let envelope) = body { return envelope }
        return nil
    }

    /// A plain error's messages, as the `errors` array carries them; nil for a multierror, whose rendered text the
    /// HTTP layer produces, so an assertion on plain messages never passes for one.
    public var errors: [String]? {
        if case .errors(let error) = body, !error.isMultiError { return error.messages }
        return nil
    }

    public var data: [String: JSONValue] { envelope?.data ?? [:] }
    public var auth: [String: JSONValue] { envelope?.auth ?? [:] }
    public var warnings: [String] { envelope?.warnings ?? [] }
    public var clientToken: String? { auth["client_token"]?.stringValue }

    /// The whole answer as text, for "no secret in here" checks.
    public var text: String {
        switch body {
        case .empty: return ""
        case .errors(let error): return error.messages.joined(separator: "\n")
        case .envelope(let envelope):
            return String(
                decoding: JSONValue.object([
                    "data": .object(envelope.data ?? [:]), "auth": .object(envelope.auth ?? [:]),
                    "warnings": .strings(envelope.warnings),
                ]).serialized(), as: UTF8.self)
        case .raw(let bytes): return String(decoding: bytes, as: UTF8.self)
        }
    }
}
