extension JSONValue {
    /// Indented JSON the way Go's `json.MarshalIndent(v, "", indent)` prints it, for the CLI: `"key": value`,
    /// empty containers as `{}` and `[]`, strings and numbers exactly as ``serialized()`` writes them. Object
    /// keys are sorted, except the top-level ones named in `keyOrder`, which come first in that order (a Go
    /// struct's field order); `childKeyOrder` does the same for the objects under the named top-level keys.
    ///
    /// ```swift
    /// JSONValue.object(["z": 1, "a": [:]]).formatted(keyOrder: ["z"])   // "{\n  \"z\": 1,\n  \"a\": {}\n}"
    /// ```
    public func formatted(
        indent: String = "  ", keyOrder: [String] = [], childKeyOrder: [String: [String]] = [:]
    ) -> String {
        var out: [UInt8] = []
        write(to: &out, indent: Array(indent.utf8), level: 0, keyOrder: keyOrder, childKeyOrder: childKeyOrder)
        return String(decoding: out, as: UTF8.self)
    }

    private func write(
        to out: inout [UInt8], indent: [UInt8], level: Int, keyOrder: [String], childKeyOrder: [String: [String]]
    ) {
        switch self {
        case .array(let elements) where !elements.isEmpty:
            out.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, indent: indent, level: level + 1)
                element.write(to: &out, indent: indent, level: level + 1, keyOrder: [], childKeyOrder: [:])
            }
            Self.newline(&out, indent: indent, level: level)
            out.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            let ordered = keyOrder.filter { object[$0] != nil }
            let rest = object.keys.filter { !keyOrder.contains($0) }.sorted()
            out.append(UInt8(ascii: "{"))
            for (index, key) in (ordered + rest).enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.newline(&out, indent: indent, level: level + 1)
                Self.writeString(key, to: &out)
                out.append(contentsOf: ": ".utf8)
                object[key]?.write(
                    to: &out, indent: indent, level: level + 1, keyOrder: childKeyOrder[key] ?? [], childKeyOrder: [:])
            }
            Self.newline(&out, indent: indent, level: level)
            out.append(UInt8(ascii: "}"))
        default:
            write(to: &out)
        }
    }

    private static func newline(_ out: inout [UInt8], indent: [UInt8], level: Int) {
        out.append(0x0A)
        for _ in 0..<level { out.append(contentsOf: indent) }
    }
}
