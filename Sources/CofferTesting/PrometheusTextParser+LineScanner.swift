extension PrometheusTextParser {
    /// Reads one line of the exposition format left to right, byte by byte.
    ///
    /// ```swift
    /// var scanner = LineScanner(#"up{job="a\"b"} 1"#[...])
    /// try scanner.name(allowColon: true)   // "up"
    /// try scanner.labels()                 // ["job": "a\"b"]
    /// try scanner.value()                  // 1
    /// ```
    struct LineScanner {
        let bytes: [UInt8]
        var index = 0

        init(_ text: Substring) { bytes = Array(text.utf8) }

        var atEnd: Bool { index == bytes.count }
        var peek: Character? { atEnd ? nil : Character(Unicode.Scalar(bytes[index])) }

        static func isLetter(_ byte: UInt8) -> Bool {
            (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == UInt8(ascii: "_")
        }

        static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

        /// `[a-zA-Z_:][a-zA-Z0-9_:]*` for metric names, without `:` for label names.
        mutating func name(allowColon: Bool) throws -> String {
            let start = index
            while !atEnd {
                let byte = bytes[index]
                let colon = allowColon && byte == UInt8(ascii: ":")
                guard Self.isLetter(byte) || colon || (index > start && Self.isDigit(byte)) else { break }
                index += 1
            }
            guard index > start else { throw Reason("expected a name at column \(start + 1)") }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        mutating func expect(_ byte: UInt8) throws {
            guard !atEnd, bytes[index] == byte else {
                throw Reason("expected \(Character(Unicode.Scalar(byte))) at column \(index + 1)")
            }
            index += 1
        }

        /// `{name="value",…}`; a trailing comma is allowed, a repeated label name is not.
        mutating func labels() throws -> [String: String] {
            try expect(UInt8(ascii: "{"))
            var labels: [String: String] = [:]
            while peek != "}" {
                let name = try self.name(allowColon: false)
                try expect(UInt8(ascii: "="))
                let value = try quoted()
                guard labels.updateValue(value, forKey: name) == nil else { throw Reason("label \(name) twice") }
                guard peek == "," || peek == "}" else { throw Reason("expected , or } at column \(index + 1)") }
                if peek == "," { index += 1 }
            }
            try expect(UInt8(ascii: "}"))
            return labels
        }

        /// A label value: only `\\`, `\"` and `\n` escapes, no raw newline.
        mutating func quoted() throws -> String {
            try expect(UInt8(ascii: "\""))
            var out: [UInt8] = []
            while !atEnd {
                let byte = bytes[index]
                index += 1
                switch byte {
                case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    guard !atEnd else { throw Reason("dangling escape") }
                    let escaped = bytes[index]
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\\"), UInt8(ascii: "\""): out.append(escaped)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    default: throw Reason("bad escape \\\(Character(Unicode.Scalar(escaped)))")
                    }
                default: out.append(byte)
                }
            }
            throw Reason("unterminated label value")
        }

        /// One space, then a Go float (`+Inf`, `-Inf`, `NaN` included).
        mutating func value() throws -> Double {
            try expect(UInt8(ascii: " "))
            let text = token()
            switch text {
            case "+Inf", "Inf": return .infinity
            case "-Inf": return -.infinity
            case "NaN": return .nan
            default:
                guard let value = Double(text), text.allSatisfy({ !$0.isWhitespace }) else {
                    throw Reason("bad value \"\(text)\"")
                }
                return value
            }
        }

        /// An optional integer timestamp (milliseconds), then the end of the line.
        mutating func optionalTimestamp() throws {
            guard !atEnd else { return }
            try expect(UInt8(ascii: " "))
            let text = token()
            guard Int64(text) != nil, atEnd else { throw Reason("bad timestamp \"\(text)\"") }
        }

        mutating func token() -> String {
            let start = index
            while !atEnd, bytes[index] != UInt8(ascii: " ") { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
    }
}
