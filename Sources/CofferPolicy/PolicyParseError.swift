/// Why a policy's text was rejected; `message` is what Vault puts in the 400 response.
///
/// ```swift
/// do { _ = try Policy.parse(name: "p", text: "bad = 1") }
/// catch let error as PolicyParseError { print(error.message) }
/// // failed to parse policy: 1 error occurred:\n\t* invalid key "bad" on line 1\n\n
/// ```
public struct PolicyParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(message: String) { self.message = message }

    public var description: String { message }

    /// Wraps a detail the way Vault's `fmt.Errorf("failed to parse policy: %w", err)` does.
    static func policy(_ detail: String) -> PolicyParseError {
        PolicyParseError(message: "failed to parse policy: " + detail)
    }
}
