/// Streams compact JSON straight into bytes, for documents written on hot paths (a token entry on every
/// login) where building a ``JSONValue`` tree of dictionaries first costs more than the writing. Members
/// come out in the order written; commas are placed by the writer.
///
/// ```swift
/// var writer = JSONWriter()
/// writer.beginObject()
/// writer.member("policies", ["default", "dev"])
/// writer.key("ttl")
/// writer.int(2_764_800)
/// writer.member("meta", ["role": "dev-role"])
/// writer.endObject()
/// writer.bytes  // {"policies":["default","dev"],"ttl":2764800,"meta":{"role":"dev-role"}}
/// ```
public struct JSONWriter {
    public private(set) var bytes: [UInt8] = []
    /// Whether the next member or element needs a comma before it.
    private var needsComma = false

    public init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member's name; the next call writes its value.
    public mutating func key(_ name: String) {
        separate()
        JSONValue.writeString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    public mutating func string(_ value: String) {
        separate()
        JSONValue.writeString(value, to: &bytes)
        needsComma = true
    }

    public mutating func int(_ value: Int64) {
        separate()
        JSONValue.writeInteger(value, to: &bytes)
        needsComma = true
    }

    public mutating func double(_ value: Double) {
        separate()
        JSONValue.writeDouble(value, to: &bytes)
        needsComma = true
    }

    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
        needsComma = true
    }

    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
        needsComma = true
    }

    /// Any value, objects with sorted keys as ``JSONValue/serialized()`` writes them.
    public mutating func value(_ value: JSONValue) {
        separate()
        value.write(to: &bytes)
        needsComma = true
    }

    public mutating func strings(_ values: [String]) {
        beginArray()
        for value in values { string(value) }
        endArray()
    }

    /// An object of strings with sorted keys, or `null` for nil.
    public mutating func stringMap(_ map: [String: String]?) {
        guard let map else { return null() }
        beginObject()
        for (name, value) in map.sorted(by: { $0.key < $1.key }) {
            key(name)
            string(value)
        }
        endObject()
    }

    /// `"name":value` for the common member types.
    public mutating func member(_ name: String, _ value: String) {
        key(name)
        string(value)
    }

    public mutating func member(_ name: String, _ value: Int64) {
        key(name)
        int(value)
    }

    public mutating func member(_ name: String, _ value: Double) {
        key(name)
        double(value)
    }

    public mutating func member(_ name: String, _ value: Bool) {
        key(name)
        bool(value)
    }

    public mutating func member(_ name: String, _ values: [String]) {
        key(name)
        strings(values)
    }

    public mutating func member(_ name: String, _ map: [String: String]?) {
        key(name)
        stringMap(map)
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}
