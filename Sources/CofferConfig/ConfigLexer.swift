/// Splits a configuration file into tokens: `#`, `//` and `/* */` comments, quoted strings with Go/JSON
/// escapes, heredocs (`<<EOF` … `EOF`, and `<<-EOF` whose lines may be indented), numbers, identifiers and
/// punctuation. Every failure names the file and line (`config.hcl:4: unterminated string`).
///
/// ```swift
/// var lexer = ConfigLexer(bytes: Array(#"path = "/var/lib/coffer""#.utf8), file: "config.hcl")
/// while try lexer.next().kind != .endOfFile {}
/// ```
struct ConfigLexer {
    let file: String
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    /// One token handed back by a parser that looked ahead (``putBack(_:)``); ``next()`` returns it first.
    private var pushedBack: ConfigToken?

    // The cursor, for the heredoc reader in ConfigLexer+Heredoc.swift.
    var currentLine: Int { line }
    var atEnd: Bool { index >= bytes.count }
    mutating func advance(by count: Int) { index = min(index + count, bytes.count) }
    mutating func newLine() { line += 1 }

    /// Consumes `byte` if it is next.
    mutating func take(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func takeWhile(_ accept: (UInt8) -> Bool) -> [UInt8] {
        let start = index
        while index < bytes.count, accept(bytes[index]) { index += 1 }
        return Array(bytes[start..<index])
    }

    init(bytes: [UInt8], file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// A syntax error at `line` (the current one by default).
    func failure(_ reason: String, line: Int? = nil) -> ConfigurationError {
        ConfigurationError("\(file):\(line ?? self.line): \(reason)")
    }

    /// Makes `token` the next one ``next()`` returns (one token of lookahead, which both parsers need).
    mutating func putBack(_ token: ConfigToken) { pushedBack = token }

    /// The next token, left to be read again.
    mutating func peek() throws(ConfigurationError) -> ConfigToken {
        let token = try next()
        pushedBack = token
        return token
    }

    mutating func next() throws(ConfigurationError) -> ConfigToken {
        if let token = pushedBack {
            pushedBack = nil
            return token
        }
        try skipSpaceAndComments()
        guard index < bytes.count else { return ConfigToken(kind: .endOfFile, line: line) }
        let byte = bytes[index]
        let punctuation: [UInt8: ConfigToken.Kind] = [
            UInt8(ascii: "{"): .leftBrace, UInt8(ascii: "}"): .rightBrace, UInt8(ascii: "["): .leftBracket,
            UInt8(ascii: "]"): .rightBracket, UInt8(ascii: "="): .assign, UInt8(ascii: ":"): .colon,
            UInt8(ascii: ","): .comma,
        ]
        if let kind = punctuation[byte] {
            index += 1
            return ConfigToken(kind: kind, line: line)
        }
        if byte == UInt8(ascii: "\"") { return try quotedString() }
        if byte == UInt8(ascii: "<"), peek(1) == UInt8(ascii: "<") { return try heredoc() }
        if Self.isDigit(byte) || (byte == UInt8(ascii: "-") && peek(1).map(Self.isDigit) == true) { return number() }
        if Self.isLetter(byte) || byte == UInt8(ascii: "_") { return identifier() }
        let shown = (0x21..<0x7F).contains(byte) ? String(UnicodeScalar(byte)) : "\\x" + String(byte, radix: 16)
        throw failure("unexpected character \"\(shown)\"")
    }

    private func peek(_ offset: Int) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool { (0x30...0x39).contains(byte) }
    private static func isLetter(_ byte: UInt8) -> Bool { (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte) }

    private mutating func skipSpaceAndComments() throws(ConfigurationError) {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\n"):
                line += 1
                index += 1
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                index += 1
            case UInt8(ascii: "#"):
                skipToEndOfLine()
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
                skipToEndOfLine()
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                let opened = line
                index += 2
                while index < bytes.count, !(bytes[index] == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/")) {
                    if bytes[index] == UInt8(ascii: "\n") { line += 1 }
                    index += 1
                }
                guard index < bytes.count else { throw failure("unterminated /* comment", line: opened) }
                index += 2
            default:
                return
            }
        }
    }

    private mutating func skipToEndOfLine() {
        while index < bytes.count, bytes[index] != UInt8(ascii: "\n") { index += 1 }
    }

    private mutating func identifier() -> ConfigToken {
        let start = index
        while index < bytes.count,
            Self.isLetter(bytes[index]) || Self.isDigit(bytes[index])
                || [UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: ".")].contains(bytes[index])
        {
            index += 1
        }
        return ConfigToken(kind: .identifier, text: String(decoding: bytes[start..<index], as: UTF8.self), line: line)
    }

    /// Digits, a fraction and an exponent; letters are taken too, so `10s` is one (refused) number rather
    /// than a number followed by a stray word.
    private mutating func number() -> ConfigToken {
        let start = index
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            let exponentSign =
                (byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-"))
                && (bytes[index - 1] == UInt8(ascii: "e") || bytes[index - 1] == UInt8(ascii: "E"))
            guard Self.isDigit(byte) || Self.isLetter(byte) || byte == UInt8(ascii: ".") || exponentSign else { break }
            index += 1
        }
        return ConfigToken(kind: .number, text: String(decoding: bytes[start..<index], as: UTF8.self), line: line)
    }

    private mutating func quotedString() throws(ConfigurationError) -> ConfigToken {
        let opened = line
        index += 1
        var text: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return ConfigToken(kind: .string, text: String(decoding: text, as: UTF8.self), line: opened)
            case UInt8(ascii: "\n"):
                throw failure("unterminated string", line: opened)
            case UInt8(ascii: "\\"):
                try escape(into: &text)
            default:
                text.append(byte)
                index += 1
            }
        }
        throw failure("unterminated string", line: opened)
    }

    private mutating func escape(into text: inout [UInt8]) throws(ConfigurationError) {
        guard let letter = peek(1) else { throw failure("unterminated string") }
        index += 2
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "n"): 0x0A, UInt8(ascii: "t"): 0x09, UInt8(ascii: "r"): 0x0D, UInt8(ascii: "\""): 0x22,
            UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "/"): 0x2F, UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C,
            UInt8(ascii: "a"): 0x07, UInt8(ascii: "v"): 0x0B,
        ]
        if let byte = simple[letter] {
            text.append(byte)
            return
        }
        let width = letter == UInt8(ascii: "u") ? 4 : (letter == UInt8(ascii: "U") ? 8 : 0)
        guard width > 0 else {
            throw failure("unknown escape \"\\\(String(UnicodeScalar(letter)))\" in a string")
        }
        guard index + width <= bytes.count,
            let code = UInt32(String(decoding: bytes[index..<(index + width)], as: UTF8.self), radix: 16),
            let scalar = Unicode.Scalar(code)
        else { throw failure("invalid \\\(String(UnicodeScalar(letter))) escape in a string") }
        index += width
        text.append(contentsOf: Array(String(Character(scalar)).utf8))
    }
}
