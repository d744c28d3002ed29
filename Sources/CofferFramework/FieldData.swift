/// Request data read through a path's field schemas, with Vault's type coercions.
///
/// ```swift
/// let ttl = try fields.duration("ttl")                 // Int64 seconds (default if absent)
/// let policies = try fields.stringSlice("policies")     // ["a","b"] from "a,b" or ["a","b"]
/// if fields.has("max_versions") { … }
/// ```
public struct FieldData: Sendable {
    public let raw: [String: JSONValue]
    public let schema: [String: FieldSchema]

    public init(raw: [String: JSONValue], schema: [String: FieldSchema]) {
        self.raw = raw
        self.schema = schema
    }

    /// Whether the client sent the field (a JSON `null` counts as absent).
    public func has(_ name: String) -> Bool {
        guard let value = raw[name] else { return false }
        return !value.isNull
    }

    /// The raw value sent, or the schema default.
    public func value(_ name: String) -> JSONValue? {
        if let value = raw[name], !value.isNull { return value }
        return schema[name]?.defaultValue
    }

    func conversionError(_ name: String, _ value: JSONValue, _ why: String) -> LogicalError {
        let shown: String
        switch value {
        case .string(let s): shown = s
        default: shown = String(decoding: value.serialized(), as: UTF8.self)
        }
        return .badRequest("error converting input \(shown) for field \"\(name)\": \(why)")
    }

    public func string(_ name: String) throws -> String {
        guard let value = value(name) else { return "" }
        switch value {
        case .string(let s): return schema[name]?.type == .lowerCaseString ? s.lowercased() : s
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "true" : "false"
        default: throw conversionError(name, value, "expected string")
        }
    }

    public func int(_ name: String) throws -> Int64 {
        guard let value = value(name) else { return 0 }
        let number: Int64
        switch value {
        case .int(let i): number = i
        case .double(let d) where d == d.rounded():
            guard let exact = Int64(exactly: d) else { throw outOfRange(name, value) }
            number = exact
        case .string(let s):
            if s.isEmpty { return 0 }
            guard let parsed = Int64(s) else {
                if s.utf8.contains(where: { $0 >= 0x30 && $0 <= 0x39 }),
                    s.utf8.dropFirst().allSatisfy({ $0 >= 0x30 && $0 <= 0x39 })
                {
                    throw outOfRange(name, value)
                }
                throw conversionError(
                    name, value, "cannot parse '' as int: strconv.ParseInt: parsing \"\(s)\": invalid syntax")
            }
            number = parsed
        case .bool(let b): number = b ? 1 : 0
        default: throw conversionError(name, value, "expected int")
        }
        if let range = schema[name]?.range, !range.contains(number) { throw outOfRange(name, value) }
        return number
    }

    /// The field narrowed to `T`: a value `T` cannot hold is a 400 naming the field, never a trap.
    ///
    /// ```swift
    /// let maxVersions = try fields.int("max_versions", as: UInt32.self)
    /// ```
    public func int<T: FixedWidthInteger>(_ name: String, as type: T.Type) throws -> T {
        let number = try int(name)
        guard let narrowed = T(exactly: number) else { throw outOfRange(name, value(name) ?? .int(number)) }
        return narrowed
    }

    func outOfRange(_ name: String, _ value: JSONValue) -> LogicalError {
        if let range = schema[name]?.range {
            return conversionError(
                name, value, "value out of range: must be between \(range.lowerBound) and \(range.upperBound)")
        }
        return conversionError(name, value, "value out of range")
    }

    public func bool(_ name: String) throws -> Bool {
        guard let value = value(name) else { return false }
        switch value {
        case .bool(let b): return b
        case .int(let i): return i != 0
        case .double(let d): return d != 0
        case .string(let s):
            switch s {
            case "1", "t", "T", "TRUE", "true", "True": return true
            case "0", "f", "F", "FALSE", "false", "False", "": return false
            default:
                throw conversionError(
                    name, value, "cannot parse '' as bool: strconv.ParseBool: parsing \"\(s)\": invalid syntax")
            }
        default: throw conversionError(name, value, "expected bool")
        }
    }

    /// Seconds.
    public func duration(_ name: String) throws -> Int64 {
        guard let value = value(name) else { return 0 }
        let seconds: Int64
        do {
            seconds = try DurationParser.seconds(value)
        } catch {
            throw conversionError(name, value, "\(error)")
        }
        if let range = schema[name]?.range, !range.contains(seconds) { throw outOfRange(name, value) }
        return seconds
    }

    public func stringSlice(_ name: String) throws -> [String] {
        guard let value = value(name) else { return [] }
        switch value {
        case .array(let items):
            return try items.map {
                switch $0 {
                case .string(let s): return s
                case .int(let i): return String(i)
                case .double(let d): return String(d)
                case .bool(let b): return b ? "true" : "false"
                default: throw conversionError(name, value, "expected a list of strings")
                }
            }
        case .string(let s):
            if schema[name]?.type == .stringSlice { return s.isEmpty ? [] : [s] }
            return s.split(separator: ",", omittingEmptySubsequences: true).map {
                String($0).trimmedWhitespace
            }.filter { !$0.isEmpty }
        case .int(let i): return [String(i)]
        default: throw conversionError(name, value, "expected a list of strings")
        }
    }

    public func intSlice(_ name: String) throws -> [Int64] {
        guard let value = value(name) else { return [] }
        switch value {
        case .array(let items):
            return try items.map {
                switch $0 {
                case .int(let i): return i
                case .double(let d) where d == d.rounded():
                    guard let exact = Int64(exactly: d) else { throw outOfRange(name, value) }
                    return exact
                case .string(let s):
                    guard let i = Int64(s.trimmedWhitespace) else {
                        throw conversionError(name, value, "expected a list of integers")
                    }
                    return i
                default: throw conversionError(name, value, "expected a list of integers")
                }
            }
        case .string(let s):
            return try s.split(separator: ",").map {
                guard let i = Int64(String($0).trimmedWhitespace) else {
                    throw conversionError(name, value, "expected a list of integers")
                }
                return i
            }
        case .int(let i): return [i]
        default: throw conversionError(name, value, "expected a list of integers")
        }
    }

    /// String→string map from an object or a `k=v` list.
    public func keyPairs(_ name: String) throws -> [String: String] {
        guard let value = value(name) else { return [:] }
        switch value {
        case .object(let object):
            var out: [String: String] = [:]
            for (key, item) in object {
                switch item {
                case .string(let s): out[key] = s
                case .int(let i): out[key] = String(i)
                case .double(let d): out[key] = String(d)
                case .bool(let b): out[key] = b ? "true" : "false"
                case .null: out[key] = ""
                default: throw conversionError(name, value, "expected a map of strings")
                }
            }
            return out
        case .array, .string:
            var out: [String: String] = [:]
            for pair in try stringSlice(name) {
                guard let eq = pair.firstIndex(of: "=") else {
                    throw conversionError(name, value, "expected key=value pairs")
                }
                out[String(pair[..<eq])] = String(pair[pair.index(after: eq)...])
            }
            return out
        default: throw conversionError(name, value, "expected a map of strings")
        }
    }

    public func map(_ name: String) throws -> [String: JSONValue]? {
        guard let value = value(name) else { return nil }
        guard case .object(let object) = value else { throw conversionError(name, value, "expected a map") }
        return object
    }

    /// Checks every sent field converts to its declared type, so a handler never half-applies a write.
    public func validate() throws {
        for (name, field) in schema where has(name) {
            switch field.type {
            case .string, .lowerCaseString: _ = try string(name)
            case .int: _ = try int(name)
            case .bool: _ = try bool(name)
            case .duration: _ = try duration(name)
            case .commaStringSlice, .stringSlice: _ = try stringSlice(name)
            case .commaIntSlice: _ = try intSlice(name)
            case .keyPairs: _ = try keyPairs(name)
            case .map: _ = try map(name)
            case .raw: break
            }
        }
    }
}
