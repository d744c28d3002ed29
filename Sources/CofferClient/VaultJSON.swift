import Foundation

/// A JSON value as the Vault API sends and receives it; integers stay integers.
///
/// ```swift
/// let body: VaultJSON = ["data": ["password": "s3cr3t"], "options": [:]]
/// let parsed = try VaultJSON(parsing: bytes)
/// let version = parsed["data"]?["metadata"]?["version"]?.intValue
/// print(parsed.formatted(indent: "  "))   // Go `json.MarshalIndent` style
/// ```
public enum VaultJSON: Sendable, Hashable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([VaultJSON])
    case object([String: VaultJSON])
}

extension VaultJSON {
    /// Parses JSON text. Throws ``VaultClientError/invalidJSON(_:)`` when it is not JSON.
    public init(parsing data: Data) throws {
        do {
            self = try JSONDecoder().decode(VaultJSON.self, from: data)
        } catch {
            throw VaultClientError.invalidJSON(String(describing: error))
        }
    }

    public subscript(key: String) -> VaultJSON? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var boolValue: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Integers, and doubles without a fraction (JSON numbers such as `3600.0`).
    public var intValue: Int64? {
        switch self {
        case .int(let value): return value
        case .double(let value) where value.rounded() == value && abs(value) < 9.2e18: return Int64(value)
        default: return nil
        }
    }

    public var objectValue: [String: VaultJSON]? {
        if case .object(let value) = self { return value }
        return nil
    }

    public var arrayValue: [VaultJSON]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var isNull: Bool { self == .null }

    /// A list of strings, for fields like `policies` or `keys`.
    public var stringArray: [String]? {
        arrayValue?.compactMap(\.stringValue)
    }
}

extension VaultJSON: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(arrayLiteral elements: VaultJSON...) { self = .array(elements) }
    public init(nilLiteral: ()) { self = .null }
    public init(dictionaryLiteral elements: (String, VaultJSON)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

extension VaultJSON: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .int(value)
        } else if let value = try? container.decode(Double.self) {
            self = .double(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([VaultJSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: VaultJSON].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .int(let value): try container.encode(value)
        case .double(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

// MARK: - Serialisation

extension VaultJSON {
    /// Compact JSON with sorted keys, as request bodies are sent.
    public func serialized() -> Data {
        var out = ""
        write(to: &out, indent: nil, level: 0, keyOrder: [])
        return Data(out.utf8)
    }

    /// Indented JSON the way Go's `json.MarshalIndent(v, "", indent)` prints it: `"key": value`,
    /// object keys sorted except the top-level ones named in `keyOrder` (which come first, in
    /// that order), `<`, `>`, `&` escaped as `\u003c` etc. Empty containers print as `{}` / `[]`.
    /// `childKeyOrder` does the same for the objects under the named top-level keys (struct fields).
    public func formatted(
        indent: String = "  ", keyOrder: [String] = [], childKeyOrder: [String: [String]] = [:]
    ) -> String {
        var out = ""
        write(to: &out, indent: indent, level: 0, keyOrder: keyOrder, childKeyOrder: childKeyOrder)
        return out
    }

    private func write(
        to out: inout String, indent: String?, level: Int, keyOrder: [String],
        childKeyOrder: [String: [String]] = [:]
    ) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): out += Self.format(double: value)
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let elements):
            guard !elements.isEmpty else { out += "[]"; return }
            out += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { out += "," }
                Self.newline(&out, indent: indent, level: level + 1)
                element.write(to: &out, indent: indent, level: level + 1, keyOrder: [])
            }
            Self.newline(&out, indent: indent, level: level)
            out += "]"
        case .object(let object):
            guard !object.isEmpty else { out += "{}"; return }
            let ordered = keyOrder.filter { object[$0] != nil }
            let rest = object.keys.filter { !keyOrder.contains($0) }.sorted()
            out += "{"
            for (index, key) in (ordered + rest).enumerated() {
                if index > 0 { out += "," }
                Self.newline(&out, indent: indent, level: level + 1)
                Self.writeString(key, to: &out)
                out += indent == nil ? ":" : ": "
                object[key]!.write(to: &out, indent: indent, level: level + 1, keyOrder: childKeyOrder[key] ?? [])
            }
            Self.newline(&out, indent: indent, level: level)
            out += "}"
        }
    }

    private static func newline(_ out: inout String, indent: String?, level: Int) {
        guard let indent else { return }
        out += "\n"
        out += String(repeating: indent, count: level)
    }

    static func format(double value: Double) -> String {
        guard value.isFinite else { return "null" }
        if value.rounded() == value && abs(value) < 9.2e18 { return String(Int64(value)) }
        return String(value)
    }

    private static func writeString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            // Go's encoder escapes these so JSON output is safe to embed in HTML.
            case "<", ">", "&", "\u{2028}", "\u{2029}":
                out += String(format: "\\u%04x", scalar.value)
            default:
                if scalar.value < 0x20 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
