/// One `key = value` (or one block) of a configuration object, with the line of its key.
///
/// ```swift
/// ConfigEntry(key: "address", value: ConfigValue(.string("127.0.0.1:8200"), line: 3), line: 3)
/// ```
public struct ConfigEntry: Sendable, Equatable {
    public var key: String
    public var value: ConfigValue
    public var line: Int

    public init(key: String, value: ConfigValue, line: Int) {
        self.key = key
        self.value = value
        self.line = line
    }
}
