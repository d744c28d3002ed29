/// A value of a configuration file, HCL or JSON, with the line it starts on, so that a refusal can say
/// where the operator wrote it. Both syntaxes produce the same tree: an HCL block `listener "tcp" { … }` is
/// the object `{"listener": {"tcp": {…}}}`, as in HCL v1.
///
/// ```swift
/// let root = try HCLConfigParser(bytes: Array(text.utf8), file: "config.hcl").parseDocument()
/// if case .object(let entries) = root.kind { for entry in entries { print(entry.key, entry.line) } }
/// ```
public struct ConfigValue: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case string(String)
        /// The number as written; a key's type decides whether it fits (`Int(text)` never traps).
        case number(String)
        case bool(Bool)
        case null
        case list([ConfigValue])
        /// Entries in file order; HCL allows a key more than once (`listener` blocks accumulate).
        case object([ConfigEntry])
    }

    public var kind: Kind
    public var line: Int

    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    /// The value's text when it is a string or a number (Vault reads `"8200"` and `8200` alike).
    var scalarText: String? {
        switch kind {
        case .string(let text), .number(let text): text
        default: nil
        }
    }

    /// How an error message names a value of the wrong shape.
    var shapeName: String {
        switch kind {
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        case .list: "a list"
        case .object: "a block"
        }
    }
}
