/// A small, strict JSON parser producing ``JSONValue`` straight from bytes (RFC 8259).
///
/// Request bodies and stored values are parsed on every request; Foundation's `JSONDecoder`
/// would have to guess each value's type by trying and failing, which is several times slower.
///
/// ```swift
/// let value = try JSONParser.parse(Array(#"{"a":[1,2.5,"x",null]}"#.utf8))
/// ```
public struct JSONParser {
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        /// What was wrong, for readers that word their own messages (the policy reader's HCL-style ones).
        public enum Reason: Sendable, Equatable {
            case unexpectedEnd, invalidCharacter, trailingContent, tooDeep
            case invalidEscape, unterminatedString, invalidNumber
            /// A member did not start with its quoted name, or its name was not followed by `:`.
            case expectedMemberName, expectedColon
            /// Neither `,` nor the container's closing bracket followed an element or member.
            case expectedCommaOrObjectEnd, expectedCommaOrArrayEnd
        }

        public var offset: Int
        public var reason: Reason

        public init(offset: Int, reason: Reason = .invalidCharacter) {
            self.offset = offset
            self.reason = reason
        }

        public var description: String { "invalid JSON at byte \(offset)" }
    }

    let bytes: [UInt8]
    var index = 0
    private var depth = 0
    /// Containers nested deeper than this are refused: parsing recurses once per level.
    public static let maxDepth = 512

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    public static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try whole(bytes) { parser in try parser.parseValue() }
    }

    /// What `read` makes of `bytes`, which must hold one value and nothing but white space around it.
    @inline(__always)
    static func whole<Result>(_ bytes: [UInt8], _ read: (inout JSONParser) throws -> Result) throws -> Result {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let result = try read(&parser)
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw SyntaxError(offset: parser.index, reason: .trailingContent) }
        return result
    }

    /// ``parse(_:)`` of any bytes (`Data`, a `ByteBuffer`'s view, a slice), copied once into an array.
    public static func parse(_ bytes: some Collection<UInt8>) throws -> JSONValue {
        try parse(Array(bytes))
    }

    /// The members named in `names` of the JSON object `bytes`, in the order of `names` (nil when absent; the
    /// last of repeated members). Other members are checked as strictly as ``parse(_:)`` checks them but never
    /// built, so reading a few claims of a token costs only those claims. Throws ``SyntaxError`` for invalid
    /// JSON and for a document that is not an object.
    ///
    /// ```swift
    /// let values = try JSONParser.members(["iss", "exp"], of: payload)   // [JSONValue?]
    /// ```
    public static func members(_ names: [String], of bytes: [UInt8]) throws -> [JSONValue?] {
        try members(utf8: names.map { Array($0.utf8) }, of: bytes)
    }

    /// ``members(_:of:)`` with the names already as UTF-8 bytes, for a caller that reads the same names from
    /// every document (a login's token claims) and keeps them in a constant.
    public static func members(utf8 wanted: [[UInt8]], of bytes: [UInt8]) throws -> [JSONValue?] {
        var parser = JSONParser(bytes)
        var result = [JSONValue?](repeating: nil, count: wanted.count)
        parser.skipWhitespace()
        guard parser.index < bytes.count, bytes[parser.index] == UInt8(ascii: "{") else { throw parser.fail() }
        try parser.scanObject { parser in
            let slot = try parser.matchKey(wanted)
            try parser.expectColon()
            if let slot { result[slot] = try parser.parseValue() } else { try parser.skipValue() }
        }
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw SyntaxError(offset: parser.index, reason: .trailingContent) }
        return result
    }

    /// Reads a member name and returns its position in `wanted`, comparing bytes in place when the name has
    /// no escapes.
    private mutating func matchKey(_ wanted: [[UInt8]]) throws -> Int? {
        let start = index
        var end = index + 1
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\") {
            guard bytes[end] >= 0x20 else { throw SyntaxError(offset: end) }
            end += 1
        }
        guard end < bytes.count else { throw SyntaxError(offset: end) }
        if bytes[end] == UInt8(ascii: "\"") {
            index = end + 1
            let name = bytes[(start + 1)..<end]
            return wanted.firstIndex { $0.elementsEqual(name) }
        }
        let name = Array(try parseString().utf8)
        return wanted.firstIndex(of: name)
    }

    /// Checks one value without building it.
    private mutating func skipValue() throws {
        guard index < bytes.count else { throw fail() }
        switch bytes[index] {
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "{"):
            try scanObject { parser in
                try parser.skipString()
                try parser.expectColon()
                try parser.skipValue()
            }
        case UInt8(ascii: "["): try scanArray { parser in try parser.skipValue() }
        default: _ = try parseValue()
        }
    }

    /// Checks a string without building it; one with escapes is decoded to check them.
    private mutating func skipString() throws {
        let start = index
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                index += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                index = start
                _ = try parseString()
                return
            }
            guard byte >= 0x20 else { throw fail() }
            index += 1
        }
        throw fail()
    }

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    /// An error at the current byte: `reason`; a plain invalid character found at the end of input is the
    /// end of input. Kept out of line so the error's construction does not weigh on the loops that throw it.
    @inline(never)
    func fail(_ reason: SyntaxError.Reason = .invalidCharacter) -> SyntaxError {
        SyntaxError(
            offset: index, reason: reason == .invalidCharacter && index >= bytes.count ? .unexpectedEnd : reason)
    }

    mutating func parseValue() throws -> JSONValue {
        guard index < bytes.count else { throw fail() }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try parseNumber()
        }
    }

    private mutating func literal(_ text: StaticString, _ value: JSONValue) throws -> JSONValue {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw fail() }
        let matches = text.withUTF8Buffer { expected in
            (0..<count).allSatisfy { bytes[index + $0] == expected[$0] }
        }
        guard matches else { throw fail() }
        index += count
        return value
    }

    private mutating func enter() throws {
        depth += 1
        guard depth <= Self.maxDepth else { throw fail(.tooDeep) }
    }

    private mutating func parseObject() throws -> JSONValue {
        // Members are collected first and hashed once into a dictionary of the right size, rather than
        // rehashed at every doubling.
        var members: [(String, JSONValue)] = []
        try scanObject { parser in
            let key = try parser.parseString()
            try parser.expectColon()
            members.append((key, try parser.parseValue()))
        }
        var object = [String: JSONValue](minimumCapacity: members.count)
        for (key, value) in members { object[key] = value }
        return .object(object)
    }

    private mutating func parseArray() throws -> JSONValue {
        var array: [JSONValue] = []
        try scanArray { parser in array.append(try parser.parseValue()) }
        return .array(array)
    }

    /// Walks the object starting at `index` (its `{`) to just past its `}`: commas, nesting depth and the
    /// shape around members are checked here; `member` is called at each member's opening quote and reads
    /// the name, the colon (``expectColon()``) and the value.
    mutating func scanObject(_ member: (inout JSONParser) throws -> Void) throws {
        try scan(close: UInt8(ascii: "}")) { parser in
            guard parser.index < parser.bytes.count, parser.bytes[parser.index] == UInt8(ascii: "\"") else {
                throw parser.fail(.expectedMemberName)
            }
            try member(&parser)
        }
    }

    /// Walks the array starting at `index` (its `[`) to just past its `]`, calling `element` at each element.
    mutating func scanArray(_ element: (inout JSONParser) throws -> Void) throws {
        try scan(close: UInt8(ascii: "]"), element)
    }

    private mutating func scan(close: UInt8, _ item: (inout JSONParser) throws -> Void) throws {
        try enter()
        defer { depth -= 1 }
        index += 1
        skipWhitespace()
        if index < bytes.count, bytes[index] == close {
            index += 1
            return
        }
        while true {
            skipWhitespace()
            try item(&self)
            skipWhitespace()
            guard index < bytes.count else { throw fail(Self.missingSeparator(before: close)) }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                continue
            }
            guard bytes[index] == close else { throw fail(Self.missingSeparator(before: close)) }
            index += 1
            return
        }
    }

    private static func missingSeparator(before close: UInt8) -> SyntaxError.Reason {
        close == UInt8(ascii: "}") ? .expectedCommaOrObjectEnd : .expectedCommaOrArrayEnd
    }

    /// The `:` between a member's name and value, with the whitespace around it.
    mutating func expectColon() throws {
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail(.expectedColon) }
        index += 1
        skipWhitespace()
    }

    mutating func parseString() throws -> String {
        index += 1
        let start = index
        // Fast path: no escapes.
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: bytes[start..<index], as: UTF8.self)
                index += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            guard byte >= 0x20 else { throw SyntaxError(offset: start - 1, reason: .unterminatedString) }
            index += 1
        }
        var out = Array(bytes[start..<index])
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                index += 1
                guard index < bytes.count else { throw SyntaxError(offset: start - 1, reason: .unterminatedString) }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        // A surrogate pair must follow.
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw fail(.invalidEscape) }
                        index += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail(.invalidEscape) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw fail(.invalidEscape)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail(.invalidEscape) }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default: throw fail(.invalidEscape)
                }
            default:
                guard byte >= 0x20 else { throw SyntaxError(offset: start - 1, reason: .unterminatedString) }
                out.append(byte)
                index += 1
            }
        }
        throw SyntaxError(offset: start - 1, reason: .unterminatedString)
    }

    private mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail() }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail(.invalidEscape)
            }
            value = value * 16 + digit
            index += 1
        }
        return value
    }

    private mutating func parseNumber() throws -> JSONValue {
        let start = index
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) else { throw fail() }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
        } else {
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digits else { throw fail(.invalidNumber) }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digits else { throw fail(.invalidNumber) }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let integer = Int64(text) { return .int(integer) }
        guard let double = Double(text) else { throw fail(.invalidNumber) }
        return .double(double)
    }
}
