/// Typed reads of the members of a decoded JSON object, for records Coffer stores and reads back on hot
/// paths (token entries, their auth).
///
/// Stored records are written with ``JSONWriter`` and read by parsing with ``JSONParser`` and then taking
/// each member through this reader. Records read rarely may use `Codable` instead; either way the stored
/// form is JSON and the reader and writer of one record live side by side. A member that is present but of
/// the wrong type is an error even where an absent one has a default, so a damaged record is refused
/// rather than silently defaulted; the error names the member.
///
/// ```swift
/// let reader = try JSONObjectReader(JSONParser.parse(bytes))
/// let ttl = try reader.int("ttl", default: 0)        // absent: 0; "ttl": "x" throws, naming "ttl"
/// let policies = try reader.strings("policies")
/// let role = reader.optionalString("role")
/// ```
public struct JSONObjectReader: Sendable {
    /// What was wrong with which member.
    public struct Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The member's name, or empty when the value read was not an object at all.
        public var key: String
        /// The type the member should have had.
        public var expected: String

        public init(key: String, expected: String) {
            self.key = key
            self.expected = expected
        }

        public var description: String {
            key.isEmpty ? "stored record is not a JSON object" : "stored record member \"\(key)\" is not \(expected)"
        }
    }

    public let object: [String: JSONValue]

    public init(_ object: [String: JSONValue]) { self.object = object }

    /// Throws ``Failure`` when `value` is not an object.
    public init(_ value: JSONValue) throws {
        guard case .object(let object) = value else { throw Failure(key: "", expected: "an object") }
        self.object = object
    }

    public subscript(key: String) -> JSONValue? { object[key] }

    public func string(_ key: String) throws -> String {
        guard let value = object[key]?.stringValue else { throw Failure(key: key, expected: "a string") }
        return value
    }

    /// `fallback` when the member is absent; a member of the wrong type is still an error.
    public func string(_ key: String, default fallback: String) throws -> String {
        object[key] == nil ? fallback : try string(key)
    }

    public func optionalString(_ key: String) -> String? { object[key]?.stringValue }

    public func strings(_ key: String) throws -> [String] {
        guard let items = object[key]?.arrayValue else { throw Failure(key: key, expected: "a list of strings") }
        return try items.map {
            guard let text = $0.stringValue else { throw Failure(key: key, expected: "a list of strings") }
            return text
        }
    }

    public func strings(_ key: String, default fallback: [String]) throws -> [String] {
        object[key] == nil ? fallback : try strings(key)
    }

    /// The string members of an object member; other members are skipped.
    public func stringMap(_ key: String) -> [String: String]? {
        object[key]?.objectValue?.compactMapValues(\.stringValue)
    }

    /// An integer, or a double holding a whole number an `Int64` can.
    public func int(_ key: String) throws -> Int64 {
        guard let value = object[key]?.intValue else { throw Failure(key: key, expected: "an integer") }
        return value
    }

    public func int(_ key: String, default fallback: Int64) throws -> Int64 {
        object[key] == nil ? fallback : try int(key)
    }

    public func double(_ key: String) throws -> Double {
        guard let value = optionalDouble(key) else { throw Failure(key: key, expected: "a number") }
        return value
    }

    public func optionalDouble(_ key: String) -> Double? { object[key]?.doubleValue }

    public func bool(_ key: String) throws -> Bool {
        guard let value = object[key]?.boolValue else { throw Failure(key: key, expected: "a boolean") }
        return value
    }

    public func bool(_ key: String, default fallback: Bool) throws -> Bool {
        object[key] == nil ? fallback : try bool(key)
    }

    /// A nested object member, read with its own reader.
    public func nested(_ key: String) throws -> JSONObjectReader {
        guard let nested = object[key]?.objectValue else { throw Failure(key: key, expected: "an object") }
        return JSONObjectReader(nested)
    }
}
