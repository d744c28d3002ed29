import CofferJSON

/// How one kind of configuration value is read from JSON and named in `coffer server -help`.
///
/// ```swift
/// let timeout = try ConfigType.duration.read(.string("10s"))   // 10
/// ConfigType.duration.show(10)                                  // "10s"
/// ```
/// `read` returns nil for a value of the wrong JSON type; the reader then refuses it with the key's path and
/// ``phrase`` ("listener.max_request_size must be an integer").
public struct ConfigType<Value> {
    /// The type's name in the help table: `string`, `integer`, `duration`, `"host:port"`.
    public let name: String
    /// The type with its article, as error messages use it: "an integer", "a duration".
    public let phrase: String
    let read: (JSONValue) -> Value?
    let show: (Value) -> String

    public init(name: String, phrase: String, read: @escaping (JSONValue) -> Value?, show: @escaping (Value) -> String)
    {
        self.name = name
        self.phrase = phrase
        self.read = read
        self.show = show
    }
}

extension ConfigType where Value == String {
    public static var string: ConfigType {
        ConfigType(name: "string", phrase: "a string", read: { $0.stringValue }, show: { $0 })
    }

    /// A file system path: a string, named apart in the help table.
    public static var path: ConfigType {
        ConfigType(name: "path", phrase: "a string", read: { $0.stringValue }, show: { $0 })
    }
}

extension ConfigType where Value == String? {
    /// An optional path whose absence means "not set" (shown as `—`).
    public static var optionalPath: ConfigType {
        // Explicit `String??`: a non-string must read as nil (refused), not as a present-but-nil value.
        ConfigType(
            name: "path", phrase: "a string",
            read: { value -> String?? in value.stringValue.map { .some($0) } }, show: { $0 ?? "—" })
    }
}

extension ConfigType where Value == Int {
    /// A JSON integer that fits `Int`; a fraction, a string or a number out of range is the wrong type.
    public static var integer: ConfigType {
        ConfigType(
            name: "integer", phrase: "an integer",
            read: { value in
                guard case .int(let number) = value else { return nil }
                return Int(exactly: number)
            },
            show: { String($0) })
    }
}

extension ConfigType where Value == Int64 {
    /// Whole seconds written as a number (`3600`) or a Go duration string (`"1h"`), within Go's range.
    public static var duration: ConfigType {
        ConfigType(
            name: "duration", phrase: "a duration",
            read: { value in value.isNull ? nil : try? DurationParser.seconds(value) },
            show: { DurationParser.shortGoString($0) })
    }
}

extension ConfigType where Value == String {
    /// One of a fixed set of strings; anything else is refused as "must be text or json".
    public static func choice(_ values: [String]) -> ConfigType {
        let quoted = values.map { "\"\($0)\"" }
        let phrase =
            values.count < 2
            ? quoted.joined() : quoted.dropLast().joined(separator: ", ") + " or " + quoted[quoted.count - 1]
        return ConfigType(
            name: quoted.joined(separator: " | "), phrase: phrase,
            read: { value in value.stringValue.flatMap { values.contains($0) ? $0 : nil } }, show: { $0 })
    }
}

extension ConfigType where Value == String {
    /// A listener address, `host:port` (`[::1]:8200`, `:8200` for every interface).
    public static var hostPort: ConfigType {
        ConfigType(
            name: "\"host:port\"", phrase: "\"host:port\"",
            read: { value in value.stringValue.flatMap { ServerAddress($0) == nil ? nil : $0 } }, show: { $0 })
    }
}
