/// A configuration that cannot be used, with a message that names the offending key by its full path.
///
/// ```swift
/// do { _ = try ServerConfiguration.parse(root) } catch { print(error) }   // unknown configuration key "seal.kind"
/// ```
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var description: String

    public init(_ description: String) { self.description = description }
}
