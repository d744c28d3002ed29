/// Reads a configuration file written in HCL v1, the syntax of Vault's `config.hcl`: `key = value`, blocks
/// with labels (`listener "tcp" { … }`), strings, heredocs, numbers, booleans, lists and `{ … }` objects.
/// A block becomes nested objects, one per label, exactly as HCL v1 decodes it, so the schema reads HCL and
/// JSON files through one path.
///
/// ```swift
/// var parser = HCLConfigParser(bytes: Array(#"storage "sqlite" { path = "/var/lib/coffer.db" }"#.utf8),
///                              file: "config.hcl")
/// let root = try parser.parseDocument()   // {"storage": {"sqlite": {"path": "…"}}}, each with its line
/// ```
struct HCLConfigParser {
    /// Deepest nesting of blocks, objects and lists. A server configuration needs four levels; the bound
    /// keeps a hostile file from exhausting the stack of the recursive reader.
    static let maxDepth = 32
    /// Labels after a block's key: Vault's stanzas take one, two allows for typos to be reported, not crash.
    static let maxLabels = 4

    private var lexer: ConfigLexer
    private var depth = 0

    init(bytes: [UInt8], file: String) { lexer = ConfigLexer(bytes: bytes, file: file) }

    mutating func parseDocument() throws(ConfigurationError) -> ConfigValue {
        ConfigValue(.object(try parseBody(openedOn: nil)), line: 1)
    }

    private mutating func descend(_ line: Int) throws(ConfigurationError) {
        depth += 1
        if depth > Self.maxDepth { throw lexer.failure("nested more than \(Self.maxDepth) levels deep", line: line) }
    }

    /// Items up to the end of the file, or up to the `}` closing a block opened on `openedOn`.
    private mutating func parseBody(openedOn: Int?) throws(ConfigurationError) -> [ConfigEntry] {
        var entries: [ConfigEntry] = []
        while true {
            let token = try lexer.next()
            switch token.kind {
            case .endOfFile:
                if let openedOn { throw lexer.failure("the \"{\" opened on line \(openedOn) is never closed") }
                return entries
            case .rightBrace:
                guard openedOn != nil else { throw lexer.failure("unexpected \"}\"", line: token.line) }
                return entries
            case .identifier, .string:
                entries.append(try parseItem(key: token))
                if try lexer.peek().kind == .comma { _ = try lexer.next() }
            default:
                throw lexer.failure("expected a key, found \(token.described)", line: token.line)
            }
        }
    }

    /// `key = value` or `key "label"… { body }`.
    private mutating func parseItem(key: ConfigToken) throws(ConfigurationError) -> ConfigEntry {
        var labels: [ConfigToken] = []
        while true {
            let token = try lexer.next()
            switch token.kind {
            case .assign where labels.isEmpty:
                return ConfigEntry(key: key.text, value: try parseValue(), line: key.line)
            case .leftBrace:
                try descend(token.line)
                defer { depth -= 1 }
                var value = ConfigValue(.object(try parseBody(openedOn: token.line)), line: token.line)
                for label in labels.reversed() {
                    value = ConfigValue(
                        .object([ConfigEntry(key: label.text, value: value, line: label.line)]), line: label.line)
                }
                return ConfigEntry(key: key.text, value: value, line: key.line)
            case .string where labels.count < Self.maxLabels, .identifier where labels.count < Self.maxLabels:
                labels.append(token)
            default:
                let expected = labels.isEmpty ? "\"=\" or \"{\"" : "\"{\""
                throw lexer.failure(
                    "expected \(expected) after \"\(key.text)\", found \(token.described)", line: token.line)
            }
        }
    }

    private mutating func parseValue() throws(ConfigurationError) -> ConfigValue {
        let token = try lexer.next()
        switch token.kind {
        case .string: return ConfigValue(.string(token.text), line: token.line)
        case .number: return ConfigValue(.number(token.text), line: token.line)
        case .identifier where token.text == "true" || token.text == "false":
            return ConfigValue(.bool(token.text == "true"), line: token.line)
        case .leftBrace:
            try descend(token.line)
            defer { depth -= 1 }
            return ConfigValue(.object(try parseBody(openedOn: token.line)), line: token.line)
        case .leftBracket:
            try descend(token.line)
            defer { depth -= 1 }
            return ConfigValue(.list(try parseList(openedOn: token.line)), line: token.line)
        case .identifier:
            throw lexer.failure(
                "unexpected word \"\(token.text.prefix(40))\" (put strings in quotes)", line: token.line)
        default:
            throw lexer.failure("expected a value, found \(token.described)", line: token.line)
        }
    }

    /// Values separated by commas, a trailing comma allowed.
    private mutating func parseList(openedOn: Int) throws(ConfigurationError) -> [ConfigValue] {
        var values: [ConfigValue] = []
        while true {
            switch try lexer.peek().kind {
            case .rightBracket:
                _ = try lexer.next()
                return values
            case .endOfFile:
                throw lexer.failure("the \"[\" opened on line \(openedOn) is never closed")
            default:
                values.append(try parseValue())
            }
            let separator = try lexer.next()
            switch separator.kind {
            case .comma: continue
            case .rightBracket: return values
            case .endOfFile: throw lexer.failure("the \"[\" opened on line \(openedOn) is never closed")
            default:
                throw lexer.failure(
                    "expected \",\" or \"]\" in a list, found \(separator.described)", line: separator.line)
            }
        }
    }
}
