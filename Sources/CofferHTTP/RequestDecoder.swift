import CofferFramework
import Foundation

/// Turns HTTP pieces into request data the way Vault does (docs/http-api.md § Methods and operations,
/// § Request bodies): query strings
/// with repeated keys, JSON or form bodies, Go-style booleans.
enum RequestDecoder {
    /// Decodes `a=1&b=2&b=3` into `["a": "1", "b": ["2","3"]]`.
    static func query(_ query: Substring) -> [String: JSONValue] {
        var values: [String: [String]] = [:]
        var order: [String] = []
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decodeComponent(parts[0])
            let value = parts.count > 1 ? decodeComponent(parts[1]) : ""
            if values[key] == nil { order.append(key) }
            values[key, default: []].append(value)
        }
        var result: [String: JSONValue] = [:]
        for key in order {
            let list = values[key]!
            result[key] = list.count == 1 ? .string(list[0]) : .strings(list)
        }
        return result
    }

    static func decodeComponent(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Go's `strconv.ParseBool`.
    static func parseBool(_ text: String) -> Bool? {
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }

    /// A form body: keys repeated are joined with `,`.
    static func form(_ bytes: [UInt8]) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for (key, value) in query(Substring(String(decoding: bytes, as: UTF8.self))) {
            switch value {
            case .array(let items): result[key] = .string(items.compactMap(\.stringValue).joined(separator: ","))
            default: result[key] = value
            }
        }
        return result
    }

    /// Parses a POST/PUT/PATCH body; `nil` when empty or `null`.
    static func body(_ bytes: [UInt8], contentType: String?) throws -> [String: JSONValue]? {
        if let contentType, contentType.lowercased().hasPrefix("application/x-www-form-urlencoded") {
            let first = bytes.prefix(512).first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
            if let first, first != UInt8(ascii: "{"), first != UInt8(ascii: "[") { return form(bytes) }
        }
        return try JSONValue.parseObject(bytes)
    }
}
