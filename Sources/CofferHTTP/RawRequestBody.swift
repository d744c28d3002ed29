import CofferFramework
import Foundation
import Hummingbird

/// The body of a raw (non-envelope) handler — `sys/init`, `sys/unseal`, `sys/generate-root/*`, `sys/rekey/*` —
/// read the way Vault's Go handlers decode it straight into a struct (docs/seal.md § Request bodies):
/// an empty body is 400 `EOF`, malformed JSON is 400 `failed to parse JSON input: …`, member names match
/// case-insensitively, `null` is the zero value, unknown members are ignored, and a value of the wrong type
/// or out of range is a 400 naming the field.
///
/// ```swift
/// let body = try RawRequestBody.parse(bytes)               // throws LogicalError
/// let shares = try body.int("secret_shares")              // 0 when absent or null
/// let key = try body.string("key"), reset = try body.bool("reset")
/// let pgp = try body.strings("pgp_keys")
/// ```
public struct RawRequestBody: Sendable, Equatable {
    /// Members by lower-cased name; the last of several names differing only in case wins.
    let members: [String: JSONValue]

    public init(members: [String: JSONValue]) {
        var lowered: [String: JSONValue] = [:]
        for (name, value) in members { lowered[name.lowercased()] = value }
        self.members = lowered
    }

    /// Decodes `bytes`; `allowEmpty` accepts an empty body as `{}` (only `PUT sys/generate-root/attempt` does).
    public static func parse(_ bytes: [UInt8], allowEmpty: Bool = false) throws(LogicalError) -> RawRequestBody {
        let isBlank = bytes.allSatisfy { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        if isBlank {
            if allowEmpty { return RawRequestBody(members: [:]) }
            throw LogicalError.badRequest("EOF")
        }
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw LogicalError.badRequest("failed to parse JSON input: \(error)")
        }
        switch value {
        case .object(let object): return RawRequestBody(members: object)
        case .null: return RawRequestBody(members: [:])
        default:
            throw LogicalError.badRequest(
                "failed to parse JSON input: json: cannot unmarshal \(goKind(value)) into Go value of type struct")
        }
    }

    /// Whether the member is present with a non-null value.
    public func has(_ name: String) -> Bool {
        switch members[name.lowercased()] {
        case nil, .null?: false
        default: true
        }
    }

    public func string(_ name: String) throws(LogicalError) -> String {
        switch members[name.lowercased()] {
        case nil, .null?: return ""
        case .string(let text)?: return text
        case let other?: throw Self.typeError(other, field: name, type: "string")
        }
    }

    public func bool(_ name: String) throws(LogicalError) -> Bool {
        switch members[name.lowercased()] {
        case nil, .null?: return false
        case .bool(let flag)?: return flag
        case let other?: throw Self.typeError(other, field: name, type: "bool")
        }
    }

    /// A Go `int` field: whole numbers only, within `Int`'s range (which `Int64` is here).
    public func int(_ name: String) throws(LogicalError) -> Int {
        switch members[name.lowercased()] {
        case nil, .null?: return 0
        case .int(let number)?:
            guard let narrowed = Int(exactly: number) else {
                throw Self.typeError(.int(number), field: name, type: "int")
            }
            return narrowed
        case let other?: throw Self.typeError(other, field: name, type: "int")
        }
    }

    /// A Go `[]string` field; `null` elements become empty strings, as Go decodes them.
    public func strings(_ name: String) throws(LogicalError) -> [String] {
        switch members[name.lowercased()] {
        case nil, .null?: return []
        case .array(let items)?:
            var result: [String] = []
            result.reserveCapacity(items.count)
            for item in items {
                switch item {
                case .null: result.append("")
                case .string(let text): result.append(text)
                default: throw Self.typeError(item, field: name, type: "string")
                }
            }
            return result
        case let other?: throw Self.typeError(other, field: name, type: "[]string")
        }
    }

    /// Go's `UnmarshalTypeError` text, which names the field; the value itself is never echoed (it may be a key).
    static func typeError(_ value: JSONValue, field: String, type: String) -> LogicalError {
        .badRequest(
            "failed to parse JSON input: json: cannot unmarshal \(goKind(value)) into Go struct field .\(field) of type \(type)"
        )
    }

    static func goKind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "bool"
        case .int, .double: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

extension VaultResponder {
    /// Reads and decodes a raw handler's body within the request size limit (see ``RawRequestBody``).
    func rawBody(_ request: Request, allowEmpty: Bool = false) async throws(LogicalError) -> RawRequestBody {
        switch await collect(request.body) {
        case .tooLarge: throw LogicalError(status: 413, messages: ["error parsing JSON"])
        case .failed: throw LogicalError.badRequest("error reading request body")
        case .bytes(let bytes): return try RawRequestBody.parse(bytes, allowEmpty: allowEmpty)
        }
    }
}
