import CofferJSON

/// Reads the HCL v1 dialect Vault policies are written in: `key = value` items, blocks with one or
/// more labels (`path "x" { … }`), lists with trailing commas, `#`/`//`/`/* */` comments, quoted
/// strings with Go escapes, heredocs, numbers and booleans.
///
/// ```swift
/// var parser = HCLParser(bytes: Array(text.utf8))
/// let items = try parser.parseDocument()
/// ```
struct HCLParser {
    private enum Kind: String {
        case ident = "IDENT", string = "STRING", heredoc = "HEREDOC", number = "NUMBER", float = "FLOAT"
        case bool = "BOOL", lbrace = "LBRACE", rbrace = "RBRACE", lbrack = "LBRACK", rbrack = "RBRACK"
        case assign = "ASSIGN", comma = "COMMA", eof = "EOF"
    }

    private struct Token {
        var kind: Kind
        var text: String = ""
        var literal: HCLLiteral? = nil
        var position: HCLPosition
    }

    /// Deepest nesting accepted, counting objects, lists and the labels of a block (each label past the
    /// first becomes one more object level). Parsing and every walk of the tree recurse once per level, so
    /// without a bound a few kilobytes of `[` or of labels exhaust the stack and take the server down.
    static let maxDepth = 512

    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    private var pushedBack: Token?
    private var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(HCLSyntaxError) -> [HCLItem] {
        let items = try parseItemList(inObject: false)
        let next = try scan()
        if next.kind != .eof {
            throw HCLSyntaxError(position: next.position, reason: "expected: IDENT | STRING got: \(next.kind.rawValue)")
        }
        return items
    }

    // MARK: Grammar

    private mutating func parseItemList(inObject: Bool) throws(HCLSyntaxError) -> [HCLItem] {
        var items: [HCLItem] = []
        while true {
            let next = try scan()
            unscan(next)
            if next.kind == .eof || (inObject && next.kind == .rbrace) { break }
            // HCL v1 silently drops a final item whose keys run into end of input.
            guard let item = try parseItem() else { break }
            items.append(item)
            let separator = try scan()
            if separator.kind != .comma { unscan(separator) }
        }
        return items
    }

    private mutating func parseItem() throws(HCLSyntaxError) -> HCLItem? {
        var keys: [String] = []
        while true {
            let token = try scan()
            switch token.kind {
            case .eof:
                return nil
            case .assign:
                if keys.count > 1 {
                    throw HCLSyntaxError(position: token.position, reason: "nested object expected: LBRACE got: ASSIGN")
                }
                if keys.isEmpty {
                    throw HCLSyntaxError(position: token.position, reason: "no object keys found!")
                }
                return HCLItem(keys: keys, assignLine: token.position.line, value: try parseValue())
            case .lbrace:
                if keys.isEmpty {
                    throw HCLSyntaxError(position: token.position, reason: "expected: IDENT | STRING got: LBRACE")
                }
                return HCLItem(keys: keys, assignLine: 0, value: try parseObjectBody(openedAt: token.position))
            case .ident, .string:
                if depth + keys.count >= Self.maxDepth { throw Self.tooDeep(at: token.position) }
                keys.append(token.text)
            default:
                throw HCLSyntaxError(
                    position: token.position,
                    reason: "expected: IDENT | STRING | ASSIGN | LBRACE got: \(token.kind.rawValue)")
            }
        }
    }

    private mutating func parseValue() throws(HCLSyntaxError) -> HCLValue {
        let token = try scan()
        switch token.kind {
        case .number, .float, .bool, .string, .heredoc:
            return .literal(token.literal!, token.position)
        case .lbrace:
            return try parseObjectBody(openedAt: token.position)
        case .lbrack:
            return try parseListBody(openedAt: token.position)
        default:
            throw HCLSyntaxError(
                position: token.position, reason: "Unknown token: \(token.position) \(token.kind.rawValue)")
        }
    }

    private mutating func parseObjectBody(openedAt position: HCLPosition) throws(HCLSyntaxError) -> HCLValue {
        if depth >= Self.maxDepth { throw Self.tooDeep(at: position) }
        depth += 1
        defer { depth -= 1 }
        let items = try parseItemList(inObject: true)
        let close = try scan()
        if close.kind != .rbrace {
            throw HCLSyntaxError(
                position: close.position, reason: "object expected closing RBRACE got: \(close.kind.rawValue)")
        }
        return .object(items, position)
    }

    private mutating func parseListBody(openedAt position: HCLPosition) throws(HCLSyntaxError) -> HCLValue {
        if depth >= Self.maxDepth { throw Self.tooDeep(at: position) }
        depth += 1
        defer { depth -= 1 }
        var elements: [HCLValue] = []
        var needComma = false
        while true {
            let token = try scan()
            if needComma && token.kind != .comma && token.kind != .rbrack {
                throw HCLSyntaxError(
                    position: token.position,
                    reason: "error parsing list, expected comma or list end, got: \(token.kind.rawValue)")
            }
            switch token.kind {
            case .number, .float, .bool, .string, .heredoc:
                elements.append(.literal(token.literal!, token.position))
                needComma = true
            case .comma:
                needComma = false
            case .lbrace:
                elements.append(try parseObjectBody(openedAt: token.position))
                needComma = true
            case .lbrack:
                elements.append(try parseListBody(openedAt: token.position))
                needComma = true
            case .rbrack:
                return .list(elements, position)
            default:
                throw HCLSyntaxError(
                    position: token.position, reason: "unexpected token while parsing list: \(token.kind.rawValue)")
            }
        }
    }

    static func tooDeep(at position: HCLPosition) -> HCLSyntaxError {
        HCLSyntaxError(position: position, reason: "nesting deeper than \(maxDepth) levels")
    }

    // MARK: Scanner

    private mutating func unscan(_ token: Token) { pushedBack = token }

    private var here: HCLPosition { HCLPosition(line: line, column: column) }

    private func peek(_ offset: Int = 0) -> UInt8? {
        index + offset < bytes.count ? bytes[index + offset] : nil
    }

    private mutating func advance() {
        HCLPosition.advance(line: &line, column: &column, past: bytes[index])
        index += 1
    }

    private mutating func scan() throws(HCLSyntaxError) -> Token {
        if let token = pushedBack {
            pushedBack = nil
            return token
        }
        try skipSpaceAndComments()
        let start = here
        guard let byte = peek() else { return Token(kind: .eof, position: start) }
        switch byte {
        case UInt8(ascii: "{"): advance(); return Token(kind: .lbrace, position: start)
        case UInt8(ascii: "}"): advance(); return Token(kind: .rbrace, position: start)
        case UInt8(ascii: "["): advance(); return Token(kind: .lbrack, position: start)
        case UInt8(ascii: "]"): advance(); return Token(kind: .rbrack, position: start)
        case UInt8(ascii: "="): advance(); return Token(kind: .assign, position: start)
        case UInt8(ascii: ","): advance(); return Token(kind: .comma, position: start)
        case UInt8(ascii: "\""):
            let text = try scanString()
            return Token(kind: .string, text: text, literal: .string(text), position: start)
        case UInt8(ascii: "<") where peek(1) == UInt8(ascii: "<"):
            let text = try scanHeredoc()
            return Token(kind: .heredoc, text: text, literal: .string(text), position: start)
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"):
            return try scanNumber()
        default:
            if Self.isIdentStart(byte) {
                let identStart = index
                while let next = peek(),
                    Self.isIdentStart(next) || Self.isDigit(next) || next == UInt8(ascii: "-")
                        || next == UInt8(ascii: ".")
                {
                    advance()
                }
                let text = String(decoding: bytes[identStart..<index], as: UTF8.self)
                if text == "true" || text == "false" {
                    return Token(kind: .bool, text: text, literal: .bool(text == "true"), position: start)
                }
                return Token(kind: .ident, text: text, position: start)
            }
            throw HCLSyntaxError(position: start, reason: "illegal char")
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    private static func isIdentStart(_ byte: UInt8) -> Bool {
        (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || byte == UInt8(ascii: "_") || byte >= 0x80
    }

    private mutating func skipSpaceAndComments() throws(HCLSyntaxError) {
        while let byte = peek() {
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                advance()
            case UInt8(ascii: "#"):
                while let next = peek(), next != 0x0A { advance() }
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "/"):
                while let next = peek(), next != 0x0A { advance() }
            case UInt8(ascii: "/") where peek(1) == UInt8(ascii: "*"):
                let start = here
                advance()
                advance()
                while true {
                    guard let next = peek() else {
                        throw HCLSyntaxError(position: start, reason: "comment not terminated")
                    }
                    if next == UInt8(ascii: "*") && peek(1) == UInt8(ascii: "/") {
                        advance()
                        advance()
                        break
                    }
                    advance()
                }
            case UInt8(ascii: "/"):
                throw HCLSyntaxError(position: here, reason: "expected '/' for comment")
            default:
                return
            }
        }
    }

    /// A double-quoted string. Escapes are decoded outside `${ … }` interpolations, which HCL v1
    /// keeps verbatim (quotes inside them do not end the string).
    private mutating func scanString() throws(HCLSyntaxError) -> String {
        let start = here
        advance()
        var out: [UInt8] = []
        var braces = 0
        while true {
            guard let byte = peek(), !(byte == 0x0A && braces == 0) else {
                throw HCLSyntaxError(position: start, reason: "literal not terminated")
            }
            if byte == UInt8(ascii: "\"") && braces == 0 {
                advance()
                break
            }
            if braces == 0 && byte == UInt8(ascii: "$") && peek(1) == UInt8(ascii: "{") {
                braces = 1
                out.append(contentsOf: [byte, UInt8(ascii: "{")])
                advance()
                advance()
                continue
            }
            if braces > 0 {
                if byte == UInt8(ascii: "{") { braces += 1 }
                if byte == UInt8(ascii: "}") { braces -= 1 }
                out.append(byte)
                advance()
                continue
            }
            if byte == UInt8(ascii: "\\") {
                advance()
                try scanEscape(into: &out)
                continue
            }
            out.append(byte)
            advance()
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func scanEscape(into out: inout [UInt8]) throws(HCLSyntaxError) {
        let position = here
        guard let byte = peek() else { throw HCLSyntaxError(position: position, reason: "literal not terminated") }
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "a"): 0x07, UInt8(ascii: "b"): 0x08, UInt8(ascii: "f"): 0x0C, UInt8(ascii: "n"): 0x0A,
            UInt8(ascii: "r"): 0x0D, UInt8(ascii: "t"): 0x09, UInt8(ascii: "v"): 0x0B, UInt8(ascii: "\\"): 0x5C,
            UInt8(ascii: "\""): 0x22,
        ]
        if let replacement = simple[byte] {
            advance()
            out.append(replacement)
            return
        }
        let digits: Int
        let radix: Int
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "7"): digits = 3; radix = 8
        case UInt8(ascii: "x"): digits = 2; radix = 16; advance()
        case UInt8(ascii: "u"): digits = 4; radix = 16; advance()
        case UInt8(ascii: "U"): digits = 8; radix = 16; advance()
        default: throw HCLSyntaxError(position: position, reason: "illegal char escape")
        }
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let digit = peek(), let d = Int(String(UnicodeScalar(digit)), radix: radix) else {
                throw HCLSyntaxError(position: here, reason: "illegal char escape")
            }
            value = value * UInt32(radix) + UInt32(d)
            advance()
        }
        if radix == 8 || byte == UInt8(ascii: "x") {
            guard value <= 0xFF else { throw HCLSyntaxError(position: position, reason: "illegal char escape") }
            out.append(UInt8(value))
        } else {
            guard let scalar = Unicode.Scalar(value) else {
                throw HCLSyntaxError(position: position, reason: "illegal char escape")
            }
            out.append(contentsOf: Array(String(Character(scalar)).utf8))
        }
    }

    /// `<<EOF` … `EOF` (or `<<-EOF` with indented closing anchor): the lines between, each with its newline.
    private mutating func scanHeredoc() throws(HCLSyntaxError) -> String {
        let start = here
        advance()
        advance()
        let indented = peek() == UInt8(ascii: "-")
        if indented { advance() }
        let anchorStart = index
        while let byte = peek(), Self.isIdentStart(byte) || Self.isDigit(byte) || byte == UInt8(ascii: "-") {
            advance()
        }
        let anchor = Array(bytes[anchorStart..<index])
        if peek() == 0x0D { advance() }
        guard !anchor.isEmpty, peek() == 0x0A else {
            throw HCLSyntaxError(position: start, reason: "heredoc anchor must be followed by a newline")
        }
        advance()
        var body: [UInt8] = []
        while index < bytes.count {
            let lineStart = index
            while let byte = peek(), byte != 0x0A { advance() }
            var content = Array(bytes[lineStart..<index])
            if content.last == 0x0D { content.removeLast() }
            let candidate = indented ? Array(content.drop { $0 == 0x20 || $0 == 0x09 }) : content
            if candidate == anchor { return String(decoding: body, as: UTF8.self) }
            body.append(contentsOf: bytes[lineStart..<index])
            if peek() == 0x0A {
                body.append(0x0A)
                advance()
            }
        }
        throw HCLSyntaxError(position: start, reason: "heredoc not terminated")
    }

    private mutating func scanNumber() throws(HCLSyntaxError) -> Token {
        let start = here
        let numberStart = index
        if peek() == UInt8(ascii: "-") {
            advance()
            guard let next = peek(), Self.isDigit(next) else {
                throw HCLSyntaxError(position: start, reason: "illegal char")
            }
        }
        if peek() == UInt8(ascii: "0"), peek(1) == UInt8(ascii: "x") || peek(1) == UInt8(ascii: "X") {
            advance()
            advance()
            let hexStart = index
            while let byte = peek(), Int(String(UnicodeScalar(byte)), radix: 16) != nil { advance() }
            let negative = bytes[numberStart] == UInt8(ascii: "-")
            guard let magnitude = Int64(String(decoding: bytes[hexStart..<index], as: UTF8.self), radix: 16) else {
                throw HCLSyntaxError(position: start, reason: "illegal hexadecimal number")
            }
            return Token(kind: .number, literal: .number(.int(negative ? -magnitude : magnitude)), position: start)
        }
        var isFloat = false
        while let byte = peek(), Self.isDigit(byte) { advance() }
        if peek() == UInt8(ascii: "."), let next = peek(1), Self.isDigit(next) {
            isFloat = true
            advance()
            while let byte = peek(), Self.isDigit(byte) { advance() }
        }
        if peek() == UInt8(ascii: "e") || peek() == UInt8(ascii: "E") {
            isFloat = true
            advance()
            if peek() == UInt8(ascii: "+") || peek() == UInt8(ascii: "-") { advance() }
            guard let next = peek(), Self.isDigit(next) else {
                throw HCLSyntaxError(position: start, reason: "illegal exponent")
            }
            while let byte = peek(), Self.isDigit(byte) { advance() }
        }
        let text = String(decoding: bytes[numberStart..<index], as: UTF8.self)
        if !isFloat, let integer = Int64(text) {
            return Token(kind: .number, text: text, literal: .number(.int(integer)), position: start)
        }
        guard let double = Double(text) else { throw HCLSyntaxError(position: start, reason: "illegal number") }
        return Token(kind: .float, text: text, literal: .number(.double(double)), position: start)
    }
}
