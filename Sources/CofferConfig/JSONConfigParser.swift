/// Reads the JSON form of a configuration file into the same tree as ``HCLConfigParser``, keeping each
/// value's line (which CofferJSON's parser does not), so JSON files get the same `file:line:` errors.
///
/// ```swift
/// var parser = JSONConfigParser(bytes: Array(#"{"listener": [{"tcp": {"address": ":8200"}}]}"#.utf8),
///                               file: "config.json")
/// let root = try parser.parseDocument()
/// ```
struct JSONConfigParser {
    private var lexer: ConfigLexer
    private var depth = 0

    init(bytes: [UInt8], file: String) { lexer = ConfigLexer(bytes: bytes, file: file) }

    mutating func parseDocument() throws(ConfigurationError) -> ConfigValue {
        let root = try parseValue()
        guard case .object = root.kind else {
            throw lexer.failure("the configuration must be a JSON object", line: root.line)
        }
        let trailing = try lexer.next()
        guard trailing.kind == .endOfFile else {
            throw lexer.failure("unexpected \(trailing.described) after the JSON object", line: trailing.line)
        }
        return root
    }

    private mutating func parseValue() throws(ConfigurationError) -> ConfigValue {
        let token = try lexer.next()
        switch token.kind {
        case .string: return ConfigValue(.string(token.text), line: token.line)
        case .number: return ConfigValue(.number(token.text), line: token.line)
        case .identifier where token.text == "true" || token.text == "false":
            return ConfigValue(.bool(token.text == "true"), line: token.line)
        case .identifier where token.text == "null":
            return ConfigValue(.null, line: token.line)
        case .leftBrace, .leftBracket:
            depth += 1
            defer { depth -= 1 }
            guard depth <= HCLConfigParser.maxDepth else {
                throw lexer.failure("nested more than \(HCLConfigParser.maxDepth) levels deep", line: token.line)
            }
            return token.kind == .leftBrace
                ? try parseObject(openedOn: token.line) : try parseArray(openedOn: token.line)
        default:
            throw lexer.failure("expected a JSON value, found \(token.described)", line: token.line)
        }
    }

    private mutating func parseObject(openedOn: Int) throws(ConfigurationError) -> ConfigValue {
        var entries: [ConfigEntry] = []
        var token = try lexer.next()
        if token.kind == .rightBrace { return ConfigValue(.object(entries), line: openedOn) }
        while true {
            guard token.kind == .string else {
                throw lexer.failure("expected a quoted key, found \(token.described)", line: token.line)
            }
            let colon = try lexer.next()
            guard colon.kind == .colon else {
                throw lexer.failure(
                    "expected \":\" after \"\(token.text)\", found \(colon.described)", line: colon.line)
            }
            entries.append(ConfigEntry(key: token.text, value: try parseValue(), line: token.line))
            let separator = try lexer.next()
            switch separator.kind {
            case .comma: token = try lexer.next()
            case .rightBrace: return ConfigValue(.object(entries), line: openedOn)
            default:
                throw lexer.failure("expected \",\" or \"}\", found \(separator.described)", line: separator.line)
            }
        }
    }

    private mutating func parseArray(openedOn: Int) throws(ConfigurationError) -> ConfigValue {
        var values: [ConfigValue] = []
        let first = try lexer.next()
        if first.kind == .rightBracket { return ConfigValue(.list(values), line: openedOn) }
        lexer.putBack(first)
        while true {
            values.append(try parseValue())
            let separator = try lexer.next()
            switch separator.kind {
            case .comma: continue
            case .rightBracket: return ConfigValue(.list(values), line: openedOn)
            default:
                throw lexer.failure("expected \",\" or \"]\", found \(separator.described)", line: separator.line)
            }
        }
    }
}
