import CofferJSON

/// Reads the JSON form of a policy (parsed by CofferJSON's ``JSONParser/parseDocument(_:)``, which keeps member
/// order, repeated keys and offsets) into the same tree the HCL reader produces, then flattens it the
/// way HCL v1's JSON parser does: an object (or list of objects) whose members are all objects
/// becomes one item per member with the member's key appended. That is what turns
/// `{"path": {"a/*": {…}}}` and `{"path": [{"a/*": {…}}]}` into `path "a/*" { … }`.
///
/// ```swift
/// var parser = JSONPolicyParser(bytes: Array(#"{"path":{"a":{"capabilities":["read"]}}}"#.utf8))
/// try parser.parseDocument()[0].keys   // ["path", "a"]
/// ```
struct JSONPolicyParser {
    private let bytes: [UInt8]

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func parseDocument() throws(HCLSyntaxError) -> [HCLItem] {
        let node: JSONNode
        do {
            node = try JSONParser.parseDocument(bytes)
        } catch {
            throw syntaxError(error)
        }
        var positions = PositionCounter(bytes: bytes)
        guard case .object = node, case .object(let items, _) = Self.value(node, &positions) else {
            throw HCLSyntaxError(position: HCLPosition(line: 1, column: 1), reason: "expected object")
        }
        return Self.flatten(items)
    }

    /// HCL v1's JSON reader's wording for what the parser found, at the line and column of its offset.
    private func syntaxError(_ error: any Error) -> HCLSyntaxError {
        guard let error = error as? JSONParser.SyntaxError else {
            return HCLSyntaxError(position: HCLPosition(line: 1, column: 1), reason: "invalid character")
        }
        var positions = PositionCounter(bytes: bytes)
        let position = positions.position(at: error.offset)
        switch error.reason {
        case .tooDeep: return HCLParser.tooDeep(at: position)
        case .unexpectedEnd: return HCLSyntaxError(position: position, reason: "unexpected end of input")
        case .invalidCharacter: return HCLSyntaxError(position: position, reason: "invalid character")
        case .trailingContent: return HCLSyntaxError(position: position, reason: "unexpected trailing content")
        case .invalidEscape: return HCLSyntaxError(position: position, reason: "invalid escape")
        case .unterminatedString: return HCLSyntaxError(position: position, reason: "literal not terminated")
        case .invalidNumber: return HCLSyntaxError(position: position, reason: "invalid number")
        case .expectedMemberName: return HCLSyntaxError(position: position, reason: "expected object key string")
        case .expectedColon: return HCLSyntaxError(position: position, reason: "expected ':'")
        case .expectedCommaOrObjectEnd: return HCLSyntaxError(position: position, reason: "expected ',' or '}'")
        case .expectedCommaOrArrayEnd: return HCLSyntaxError(position: position, reason: "expected ',' or ']'")
        }
    }

    /// The HCL tree of a node: `null` is HCL's empty string, as the reference's JSON reader makes it.
    private static func value(_ node: JSONNode, _ positions: inout PositionCounter) -> HCLValue {
        let position = positions.position(at: node.offset)
        switch node {
        case .scalar(let value, _):
            switch value {
            case .string(let text): return .literal(.string(text), position)
            case .bool(let flag): return .literal(.bool(flag), position)
            case .int, .double: return .literal(.number(value), position)
            default: return .literal(.string(""), position)
            }
        case .array(let elements, _):
            return .list(elements.map { value($0, &positions) }, position)
        case .object(let members, _):
            let items = members.map { member in
                let line = positions.position(at: member.colonOffset).line
                return HCLItem(keys: [member.key], assignLine: line, value: value(member.value, &positions))
            }
            return .object(items, position)
        }
    }

    // MARK: Flattening

    static func flatten(_ items: [HCLItem]) -> [HCLItem] {
        var out: [HCLItem] = []
        for item in items { expand(item, into: &out) }
        return out.map { item in
            var item = item
            item.value = flattenNested(item.value)
            return item
        }
    }

    private static func expand(_ item: HCLItem, into out: inout [HCLItem]) {
        switch item.value {
        case .object(let members, _) where !members.isEmpty && members.allSatisfy(\.value.isObject):
            for member in members {
                expand(
                    HCLItem(keys: item.keys + member.keys, assignLine: item.assignLine, value: member.value), into: &out
                )
            }
        case .list(let elements, _) where !elements.isEmpty && elements.allSatisfy(\.isObject):
            for element in elements {
                expand(HCLItem(keys: item.keys, assignLine: item.assignLine, value: element), into: &out)
            }
        default:
            out.append(item)
        }
    }

    private static func flattenNested(_ value: HCLValue) -> HCLValue {
        switch value {
        case .object(let items, let position): .object(flatten(items), position)
        case .list(let elements, let position): .list(elements.map(flattenNested), position)
        case .literal: value
        }
    }
}

/// Line and column (counted in characters, from 1) of byte offsets asked for in increasing order, as a walk
/// of the tree in document order asks for them: each call continues from the last, so a document costs one
/// pass however many values it has.
private struct PositionCounter {
    let bytes: [UInt8]
    private var offset = 0
    private var line = 1
    private var column = 1

    init(bytes: [UInt8]) { self.bytes = bytes }

    mutating func position(at target: Int) -> HCLPosition {
        while offset < min(target, bytes.count) {
            HCLPosition.advance(line: &line, column: &column, past: bytes[offset])
            offset += 1
        }
        return HCLPosition(line: line, column: column)
    }
}

extension HCLValue {
    var isObject: Bool {
        if case .object = self { return true }
        return false
    }
}
