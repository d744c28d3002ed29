import CofferJSON

/// How one kind of configuration value is read from the file (HCL or JSON) and named in `coffer server -help`.
///
/// ```swift
/// ConfigType.duration.read(ConfigValue(.string("10s"), line: 1))   // 10
/// ConfigType.duration.show(10)                                      // "10s"
/// ```
/// `read` returns nil for a value it cannot take; the reader then refuses it with the file, line, the key's
/// path and ``phrase`` ("config.hcl:3: listener.tcp.max_request_size must be an integer").
public struct ConfigType<Value> {
    /// The type's name in the help table: `string`, `integer`, `duration`, `"host:port"`.
    public let name: String
    /// The type with its article, as error messages use it: "an integer", "a duration".
    public let phrase: String
    let read: (ConfigValue) -> Value?
    let show: (Value) -> String

    public init(
        name: String, phrase: String, read: @escaping (ConfigValue) -> Value?, show: @escaping (Value) -> String
    ) {
        self.name = name
        self.phrase = phrase
        self.read = read
        self.show = show
    }
}

extension ConfigType where Value == String {
    public static var string: ConfigType {
        ConfigType(name: "string", phrase: "a string", read: \.stringValue, show: { $0 })
    }

    /// A file system path: a string, named apart in the help table.
    public static var path: ConfigType {
        ConfigType(name: "path", phrase: "a string", read: \.stringValue, show: { $0 })
    }

    /// One of a fixed set of strings; `aliases` are accepted and stored as the value they stand for. `name`
    /// replaces the help table's list of the values when that list is too long for a terminal line.
    public static func choice(_ values: [String], aliases: [String: String] = [:], name: String? = nil) -> ConfigType {
        let quoted = values.map { "\"\($0)\"" }
        let phrase =
            values.count < 2
            ? quoted.joined() : quoted.dropLast().joined(separator: ", ") + " or " + quoted[quoted.count - 1]
        return ConfigType(
            name: name ?? quoted.joined(separator: " | "), phrase: phrase,
            read: { value in
                value.stringValue.flatMap { text in values.contains(text) ? text : aliases[text] }
            }, show: { $0 })
    }

    /// A listener address, `host:port` (`[::1]:8200`, `:8200` for every interface).
    public static var hostPort: ConfigType {
        ConfigType(
            name: "\"host:port\"", phrase: "\"host:port\"",
            read: { value in value.stringValue.flatMap { ServerAddress($0) == nil ? nil : $0 } }, show: { $0 })
    }
}

extension ConfigType where Value == String? {
    /// An optional string whose absence means "not set" (shown as `—`).
    public static func optional(_ name: String) -> ConfigType {
        // Explicit `String??`: a non-string must read as nil (refused), not as a present-but-nil value.
        ConfigType(
            name: name, phrase: "a string", read: { value -> String?? in value.stringValue.map { .some($0) } },
            show: { $0 ?? "—" })
    }
}

extension ConfigType where Value == Int {
    /// A whole number that fits `Int`, written as a number or a string (`8200`, `"8200"`); a fraction or a
    /// number out of range is refused, never truncated.
    public static var integer: ConfigType {
        ConfigType(
            name: "integer", phrase: "an integer", read: { $0.scalarText.flatMap { Int($0) } }, show: { String($0) })
    }
}

extension ConfigType where Value == Bool {
    /// `true`/`false`, or a string Go's `strconv.ParseBool` takes (`"true"`, `"1"`, `"F"` …), as Vault reads it.
    public static var bool: ConfigType {
        ConfigType(
            name: "bool", phrase: "true or false",
            read: { value in
                if case .bool(let flag) = value.kind { return flag }
                switch value.scalarText {
                case "1", "t", "T", "TRUE", "true", "True": return true
                case "0", "f", "F", "FALSE", "false", "False": return false
                default: return nil
                }
            }, show: { String($0) })
    }
}

extension ConfigType where Value == Int64 {
    /// Whole seconds written as a number (`3600`) or a Go duration string (`"1h"`), within Go's range.
    public static var duration: ConfigType {
        ConfigType(
            name: "duration", phrase: "a duration", read: readDuration, show: { DurationParser.shortGoString($0) })
    }

    /// A duration, or `"none"` for 0 (Vault's `usage_gauge_period`).
    public static var durationOrNone: ConfigType {
        ConfigType(
            name: "duration | \"none\"", phrase: "a duration or \"none\"",
            read: { $0.stringValue == "none" ? 0 : readDuration($0) },
            show: { $0 == 0 ? "none" : DurationParser.shortGoString($0) })
    }

    private static func readDuration(_ value: ConfigValue) -> Int64? {
        switch value.kind {
        case .number(let text):
            if let whole = Int64(text) { return try? DurationParser.seconds(.int(whole)) }
            return Double(text).flatMap { try? DurationParser.seconds(.double($0)) }
        case .string(let text):
            return text.isEmpty ? nil : try? DurationParser.seconds(text)
        default:
            return nil
        }
    }
}

extension ConfigValue {
    var stringValue: String? {
        if case .string(let text) = kind { return text }
        return nil
    }
}
