/// The type of a backend field, with the spellings Vault's framework accepts for each.
public enum FieldType: String, Sendable {
    case string
    /// Lower-cased string (e.g. role names).
    case lowerCaseString
    case int
    case bool
    /// Seconds from an integer or a Go duration string.
    case duration
    /// JSON array of strings, or one string split on `,`.
    case commaStringSlice
    /// JSON array of strings (a single string becomes a one-element list).
    case stringSlice
    /// JSON array of integers, or a comma-separated string of them.
    case commaIntSlice
    /// String→string map, or a list of `k=v` strings.
    case keyPairs
    /// Any JSON object.
    case map
    /// Any JSON value, passed through.
    case raw
}

/// One field of a backend path: its type, default and help text.
///
/// ```swift
/// "max_versions": FieldSchema(.int, description: "The number of versions to keep"),
/// "policies": FieldSchema(.commaStringSlice, description: "…", deprecated: true),
/// "num_uses": FieldSchema(.int, description: "…", range: 0...Int64(Int32.max)),
/// ```
public struct FieldSchema: Sendable {
    public var type: FieldType
    public var defaultValue: JSONValue?
    public var description: String
    public var deprecated: Bool
    /// For `.int` and `.duration` fields: the values accepted; anything else is a 400 naming the field.
    public var range: ClosedRange<Int64>?

    public init(
        _ type: FieldType, default defaultValue: JSONValue? = nil, description: String = "",
        deprecated: Bool = false, range: ClosedRange<Int64>? = nil
    ) {
        self.type = type
        self.range = range
        self.defaultValue = defaultValue
        self.description = description
        self.deprecated = deprecated
    }
}
