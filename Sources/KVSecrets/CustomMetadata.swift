import CofferFramework

/// Parsing and Vault's limits for a key's `custom_metadata`: at most 64 entries, keys of 1–128
/// bytes, values of 1–512 bytes, printable characters only.
///
/// ```swift
/// let map = try CustomMetadata.parse(["owner": "ops", "tier": 1], droppingNulls: false)  // tier → "1"
/// try CustomMetadata.validate(map)   // throws a 400 multierror, one "custom_metadata validation failed: …" each
/// ```
enum CustomMetadata {
    static let maxKeys = 64
    static let maxKeyLength = 128
    static let maxValueLength = 512
    static let errorPrefix = "custom_metadata validation failed"

    /// Values converted like Go's weak decoding to string; `null` becomes `""` unless dropped
    /// (a patch uses `null` to remove an entry).
    static func parse(_ raw: [String: JSONValue], droppingNulls: Bool) throws -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in raw {
            switch value {
            case .null where droppingNulls: continue
            case .null: result[key] = ""
            case .string(let s): result[key] = s
            case .int(let i): result[key] = String(i)
            case .double(let d): result[key] = d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
            case .bool(let b): result[key] = b ? "1" : "0"
            case .array, .object:
                throw LogicalError.badRequest(
                    "\(errorPrefix): '\(key)' expected type 'string', got unconvertible type '\(value.goTypeName)'")
            }
        }
        return result
    }

    static func validate(_ metadata: [String: String]) throws {
        var errors: [String] = []
        if metadata.count > maxKeys {
            errors.append("\(errorPrefix): payload must contain at most \(maxKeys) keys, provided \(metadata.count)")
            throw LogicalError(status: 400, messages: errors, isMultiError: true)
        }
        // Vault walks a Go map (random order); sorting keeps our messages stable.
        for key in metadata.keys.sorted() {
            let value = metadata[key]!
            let keyLength = key.utf8.count
            if keyLength == 0 || keyLength > maxKeyLength {
                errors.append(
                    "\(errorPrefix): length of key \(GoQuote.quote(key)) is \(keyLength) but must be 0 < len(key) <= \(maxKeyLength)"
                )
            }
            let valueLength = value.utf8.count
            if valueLength == 0 || valueLength > maxValueLength {
                errors.append(
                    "\(errorPrefix): length of value for key \(GoQuote.quote(key)) is \(valueLength) but must be 0 < len(value) <= \(maxValueLength)"
                )
            }
            if !GoQuote.isPrintable(key) {
                errors.append("\(errorPrefix): key \(GoQuote.quote(key)) (\(key)) contains unprintable characters")
            }
            if !GoQuote.isPrintable(value) {
                errors.append("\(errorPrefix): value for key \(GoQuote.quote(key)) contains unprintable characters")
            }
        }
        // Vault collects these into one multierror; the HTTP layer renders it.
        if !errors.isEmpty { throw LogicalError(status: 400, messages: errors, isMultiError: true) }
    }
}

extension JSONValue {
    /// The Go type name `encoding/json` would have produced for this value, for error messages.
    var goTypeName: String {
        switch self {
        case .null: return "<nil>"
        case .bool: return "bool"
        case .int, .double: return "json.Number"
        case .string: return "string"
        case .array: return "[]interface {}"
        case .object: return "map[string]interface {}"
        }
    }
}
