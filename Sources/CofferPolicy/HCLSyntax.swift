import CofferJSON

/// The syntax tree shared by the HCL (v1) and JSON policy readers: what Vault's `hcl.Parse` yields,
/// reduced to the parts policy decoding looks at.
///
/// ```swift
/// let items = try HCLDocument.parse("path \"a/*\" { capabilities = [\"read\"] }")
/// items[0].keys        // ["path", "a/*"]
/// ```
enum HCLDocument {
    /// Parses HCL, or JSON when the first non-space character is `{` (HCL v1 picks the same way).
    static func parse(_ text: String) throws(HCLSyntaxError) -> [HCLItem] {
        let bytes = Array(text.utf8)
        let first = bytes.first { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0x0B || $0 == 0x0C) }
        if first == UInt8(ascii: "{") {
            var parser = JSONPolicyParser(bytes: bytes)
            return try parser.parseDocument()
        }
        var parser = HCLParser(bytes: bytes)
        return try parser.parseDocument()
    }
}

struct HCLPosition: Sendable, Equatable, CustomStringConvertible {
    var line: Int
    var column: Int
    var description: String { "\(line):\(column)" }

    /// Moves `line` and `column` past `byte`: a newline starts the next line, and UTF-8 continuation bytes do
    /// not move the column (columns count characters, as HCL v1's scanner counts them).
    static func advance(line: inout Int, column: inout Int, past byte: UInt8) {
        if byte == 0x0A {
            line += 1
            column = 1
        } else if byte & 0xC0 != 0x80 {
            column += 1
        }
    }
}

/// A syntax error, rendered like HCL v1's `PosError`: `At 3:7: <reason>`.
struct HCLSyntaxError: Error, Sendable, CustomStringConvertible {
    var position: HCLPosition
    var reason: String
    var description: String { "At \(position): \(reason)" }
}

enum HCLLiteral: Sendable, Equatable {
    case string(String)
    case number(JSONValue)
    case bool(Bool)

    var jsonValue: JSONValue {
        switch self {
        case .string(let s): .string(s)
        case .number(let n): n
        case .bool(let b): .bool(b)
        }
    }
}

indirect enum HCLValue: Sendable {
    case literal(HCLLiteral, HCLPosition)
    case list([HCLValue], HCLPosition)
    case object([HCLItem], HCLPosition)

    var position: HCLPosition {
        switch self {
        case .literal(_, let p), .list(_, let p), .object(_, let p): p
        }
    }

    /// The Go AST type name HCL's decoder prints in type errors.
    var goTypeName: String {
        switch self {
        case .literal: "*ast.LiteralType"
        case .list: "*ast.ListType"
        case .object: "*ast.ObjectType"
        }
    }

    /// The value as Go's `interface{}` decoding would see it, expressed as JSON.
    var jsonValue: JSONValue {
        switch self {
        case .literal(let literal, _): literal.jsonValue
        case .list(let values, _): .array(values.map(\.jsonValue))
        case .object(let items, _):
            .object(
                Dictionary(
                    items.compactMap { item in item.keys.first.map { ($0, item.nestedValue.jsonValue) } },
                    uniquingKeysWith: { _, last in last }))
        }
    }
}

struct HCLItem: Sendable {
    /// Object keys in order: `path "a" { }` has `["path", "a"]`.
    var keys: [String]
    /// Line of the `=` (or JSON `:`); 0 when the item is a block without one, exactly as HCL v1
    /// reports it in `invalid key … on line 0`.
    var assignLine: Int
    var value: HCLValue

    /// The value with keys after the first folded into nested objects (`a "b" { }` ≡ `a = { b = { } }`).
    var nestedValue: HCLValue {
        var value = value
        for key in keys.dropFirst().reversed() {
            value = .object([HCLItem(keys: [key], assignLine: assignLine, value: value)], value.position)
        }
        return value
    }
}
