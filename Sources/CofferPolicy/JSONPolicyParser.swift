import CofferJSON

/// Reads the JSON form of a policy into the same tree the HCL reader produces, then flattens it the
/// way HCL v1's JSON parser does: an object (or list of objects) whose members are all objects
/// becomes one item per member with the member's key appended. That is what turns
/// `{"path": {"a/*": {…}}}` and `{"path": [{"a/*": {…}}]}` into `path "a/*" { … }`.
///
/// ```swift
/// var parser = JSONPolicyParser(bytes: Array(#"{"path":{"a":{"capabilities":["read"]}}}"#.utf8))
/// try parser.parseDocument()[0].keys   // ["path", "a"]
/// ```
struct JSONPolicyParser {
    private let bytes: [UInt8]
    private var index = 0
    private var line = 1
    private var column = 1
    /// Objects and lists open around the value being read; bounded by ``HCLParser/maxDepth`` for the same reason.
    private var depth = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(HCLSyntaxError) -> [HCLItem] {
        skipSpace()
        guard peek() == UInt8(ascii: "{") else { throw error("expected object") }
        guard case .object(let items, _) = try parseValue() else { throw error("expected object") }
        skipSpace()
        if peek() != nil { throw error("unexpected trailing content") }
        return Self.flatten(items)
    }

    // MARK: Flattening

    static func flatten(_ items: [HCLItem]) -> [HCLItem] {
        var out: [HCLItem] = []
        for item in items { expand(item, into: &out) }
        return out.map { item in
            var item = item
            item.value = flattenNested(item.value)
            return item
        }
    }

    private static func expand(_ item: HCLItem, into out: inout [HCLItem]) {
        switch item.value {
        case .object(let members, _) where !members.isEmpty && members.allSatisfy(\.value.isObject):
            for member in members {
                expand(
                    HCLItem(keys: item.keys + member.keys, assignLine: item.assignLine, value: member.value), into: &out
                )
            }
        case .list(let elements, _) where !elements.isEmpty && elements.allSatisfy(\.isObject):
            for element in elements {
                expand(HCLItem(keys: item.keys, assignLine: item.assignLine, value: element), into: &out)
            }
        default:
            out.append(item)
        }
    }

    private static func flattenNested(_ value: HCLValue) -> HCLValue {
        switch value {
        case .object(let items, let position): .object(flatten(items), position)
        case .list(let elements, let position): .list(elements.map(flattenNested), position)
        case .literal: value
        }
    }

    // MARK: Reading

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private var here: HCLPosition { HCLPosition(line: line, column: column) }

    private func error(_ reason: String) -> HCLSyntaxError { HCLSyntaxError(position: here, reason: reason) }

    private mutating func advance() {
        if bytes[index] == 0x0A {
            line += 1
            column = 1
        } else if bytes[index] & 0xC0 != 0x80 {
            column += 1
        }
        index += 1
    }

    private mutating func skipSpace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { advance() }
    }

    private mutating func expect(_ byte: UInt8, _ what: String) throws(HCLSyntaxError) {
        skipSpace()
        guard peek() == byte else { throw error("expected \(what)") }
        advance()
    }

    private mutating func parseValue() throws(HCLSyntaxError) -> HCLValue {
        skipSpace()
        let start = here
        guard let byte = peek() else { throw error("unexpected end of input") }
        let nests = byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[")
        if nests {
            if depth >= HCLParser.maxDepth { throw HCLParser.tooDeep(at: start) }
            depth += 1
        }
        defer { if nests { depth -= 1 } }
        switch byte {
        case UInt8(ascii: "{"):
            advance()
            var items: [HCLItem] = []
            skipSpace()
            if peek() == UInt8(ascii: "}") {
                advance()
                return .object(items, start)
            }
            while true {
                skipSpace()
                guard peek() == UInt8(ascii: "\"") else { throw error("expected object key string") }
                let key = try parseString()
                skipSpace()
                let assignLine = line
                try expect(UInt8(ascii: ":"), "':'")
                items.append(HCLItem(keys: [key], assignLine: assignLine, value: try parseValue()))
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    advance()
                    continue
                }
                try expect(UInt8(ascii: "}"), "',' or '}'")
                return .object(items, start)
            }
        case UInt8(ascii: "["):
            advance()
            var elements: [HCLValue] = []
            skipSpace()
            if peek() == UInt8(ascii: "]") {
                advance()
                return .list(elements, start)
            }
            while true {
                elements.append(try parseValue())
                skipSpace()
                if peek() == UInt8(ascii: ",") {
                    advance()
                    continue
                }
                try expect(UInt8(ascii: "]"), "',' or ']'")
                return .list(elements, start)
            }
        case UInt8(ascii: "\""):
            return .literal(.string(try parseString()), start)
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            for word in ["true", "false", "null"] where bytes[index...].starts(with: word.utf8) {
                for _ in 0..<word.utf8.count { advance() }
                switch word {
                case "true": return .literal(.bool(true), start)
                case "false": return .literal(.bool(false), start)
                default: return .literal(.string(""), start)
                }
            }
            throw error("invalid character")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let numberStart = index
            while let next = peek(),
                (next >= 0x30 && next <= 0x39) || next == UInt8(ascii: "-") || next == UInt8(ascii: "+")
                    || next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E")
            {
                advance()
            }
            let text = String(decoding: bytes[numberStart..<index], as: UTF8.self)
            if let integer = Int64(text) { return .literal(.number(.int(integer)), start) }
            if let double = Double(text) { return .literal(.number(.double(double)), start) }
            throw HCLSyntaxError(position: start, reason: "invalid number \(text)")
        default:
            throw error("invalid character")
        }
    }

    private mutating func parseString() throws(HCLSyntaxError) -> String {
        let start = here
        advance()
        var out: [UInt8] = []
        while true {
            guard let byte = peek(), byte != 0x0A else {
                throw HCLSyntaxError(position: start, reason: "literal not terminated")
            }
            advance()
            if byte == UInt8(ascii: "\"") { break }
            guard byte == UInt8(ascii: "\\") else {
                out.append(byte)
                continue
            }
            guard let escaped = peek() else { throw HCLSyntaxError(position: start, reason: "literal not terminated") }
            advance()
            switch escaped {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalarValue = try readHex4()
                if (0xD800..<0xDC00).contains(scalarValue), peek() == UInt8(ascii: "\\") {
                    advance()
                    guard peek() == UInt8(ascii: "u") else { throw error("invalid escape") }
                    advance()
                    let low = try readHex4()
                    scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
                }
                let scalar = Unicode.Scalar(scalarValue) ?? "\u{FFFD}"
                out.append(contentsOf: Array(String(Character(scalar)).utf8))
            default:
                throw error("invalid escape")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private mutating func readHex4() throws(HCLSyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = peek(), let digit = UInt32(String(UnicodeScalar(byte)), radix: 16) else {
                throw error("invalid escape")
            }
            value = value * 16 + digit
            advance()
        }
        return value
    }
}

extension HCLValue {
    var isObject: Bool {
        if case .object = self { return true }
        return false
    }
}
