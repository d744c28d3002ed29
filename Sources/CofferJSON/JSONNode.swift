/// A JSON document with its members in the order written, repeated keys kept, and the byte offset of every
/// value: what a reader needs that reports positions or must see a document exactly as written (the JSON
/// form of a policy, whose errors name lines). Parsed as strictly as ``JSONParser/parse(_:)-(_)`` parses.
///
/// ```swift
/// let node = try JSONParser.parseDocument(Array(#"{"path": {"a": {}}, "path": {}}"#.utf8))
/// if case .object(let members, _) = node { members.map(\.key) }   // ["path", "path"]
/// ```
public indirect enum JSONNode: Sendable {
    /// A string, number, boolean or null.
    case scalar(JSONValue, offset: Int)
    case array([JSONNode], offset: Int)
    case object([Member], offset: Int)

    /// One `"key": value` of an object.
    public struct Member: Sendable {
        public var key: String
        /// Where the `:` after the key is (the reference's JSON policy reader reports a key's line there).
        public var colonOffset: Int
        public var value: JSONNode
    }

    /// Where the value starts: its first byte.
    public var offset: Int {
        switch self {
        case .scalar(_, let offset), .array(_, let offset), .object(_, let offset): offset
        }
    }
}

extension JSONParser {
    /// The whole of `bytes` as a ``JSONNode``. Throws ``SyntaxError``, whose ``SyntaxError/reason`` says what
    /// was wrong, for invalid JSON, trailing content, and nesting deeper than ``maxDepth``.
    public static func parseDocument(_ bytes: [UInt8]) throws -> JSONNode {
        try whole(bytes) { parser in try parser.parseNode() }
    }

    private mutating func parseNode() throws -> JSONNode {
        let start = index
        guard index < bytes.count else { throw fail() }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            var members: [JSONNode.Member] = []
            try scanObject { parser in
                let key = try parser.parseString()
                parser.skipWhitespace()
                let colon = parser.index
                try parser.expectColon()
                members.append(JSONNode.Member(key: key, colonOffset: colon, value: try parser.parseNode()))
            }
            return .object(members, offset: start)
        case UInt8(ascii: "["):
            var elements: [JSONNode] = []
            try scanArray { parser in elements.append(try parser.parseNode()) }
            return .array(elements, offset: start)
        default:
            return .scalar(try parseValue(), offset: start)
        }
    }
}
