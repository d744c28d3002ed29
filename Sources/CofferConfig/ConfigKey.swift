import CofferJSON

/// One key of a configuration file, declared once: its name, type, one-line doc and where its value goes.
/// The default is whatever the root value holds before reading, so the help table and the reader cannot
/// disagree about it.
///
/// ```swift
/// ConfigKey.field("max_connections", .integer, \ServerConfiguration.maxConnections,
///                 doc: "open connections at once", requirement: "from 1 to 1000000",
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
    let apply: (inout Root, JSONValue, _ path: String) throws(ConfigurationError) -> Void

    /// A key stored at `keyPath`. `check` returns the value to keep (it may normalise, as `0` meaning "the
    /// default" does) or nil to refuse it with "<path> must be <type phrase> <requirement>".
    public static func field<Value>(
        _ name: String, _ type: ConfigType<Value>, _ keyPath: WritableKeyPath<Root, Value>, doc: String,
        required: Bool = false, requirement: String = "", check: @escaping (Value) -> Value? = { $0 }
    ) -> ConfigKey {
        ConfigKey(
            name: name, typeName: type.name, doc: doc, isRequired: required,
            show: { root in required ? "required" : type.show(root[keyPath: keyPath]) },
            apply: { root, json, path throws(ConfigurationError) in
                guard let value = type.read(json).flatMap(check) else {
                    let wanted = requirement.isEmpty ? type.phrase : "\(type.phrase) \(requirement)"
                    throw ConfigurationError("\(path) must be \(wanted)")
                }
                root[keyPath: keyPath] = value
            })
    }

}
