/// One key of a configuration stanza, declared once: its name, type, one-line doc and where its value goes.
/// The default is whatever the root value holds before reading, so the help table and the reader cannot
/// disagree about it.
///
/// ```swift
/// ConfigKey.field("max_connections", .integer, \ListenerConfiguration.maxConnections,
///                 doc: "open connections at once", requirement: "between 1 and 1000000",
///                 check: { (1...1_000_000).contains($0) ? $0 : nil })
/// ```
public struct ConfigKey<Root> {
    public let name: String
    /// The type's name for the help table.
    public let typeName: String
    public let doc: String
    /// `required` keys have no default: leaving one out is an error.
    public let isRequired: Bool
    let show: (Root) -> String
    /// Stores the value, or returns why it is refused (the reader adds file and line).
    let apply: (inout Root, ConfigValue, _ path: String) -> String?

    /// A key stored at `keyPath`. `check` returns the value to keep (it may normalise, as `0` meaning "the
    /// default" does) or nil to refuse it with "<path> must be <type phrase> <requirement>", or with
    /// `refusal(path, value as written)` when given (Vault's own wording for some keys).
    public static func field<Value>(
        _ name: String, _ type: ConfigType<Value>, _ keyPath: WritableKeyPath<Root, Value>, doc: String,
        required: Bool = false, requirement: String = "", check: @escaping (Value) -> Value? = { $0 },
        refusal: ((_ path: String, _ written: String) -> String)? = nil
    ) -> ConfigKey {
        ConfigKey(
            name: name, typeName: type.name, doc: doc, isRequired: required,
            show: { root in required ? "required" : type.show(root[keyPath: keyPath]) },
            apply: { root, value, path in
                guard let read = type.read(value).flatMap(check) else {
                    if let refusal { return refusal(path, value.scalarText ?? value.shapeName) }
                    let wanted = requirement.isEmpty ? type.phrase : "\(type.phrase) \(requirement)"
                    return "\(path) must be \(wanted)"
                }
                root[keyPath: keyPath] = read
                return nil
            })
    }
}
