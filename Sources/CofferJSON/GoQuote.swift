/// Go's `strconv.Quote` (what `%q` prints for a string), for error texts that must match Vault's byte for byte.
///
/// Quotes and backslashes are escaped; printable runes (Go's `strconv.IsPrint`: letters, marks, numbers,
/// punctuation, symbols and the ASCII space) are kept, including non-ASCII ones; the rest become `\a \b \f
/// \n \r \t \v`, `\xNN` (other controls below U+0020 and U+007F), `\uNNNN` or `\UNNNNNNNN`. Bytes that are
/// not valid UTF-8 are written `\xNN` each.
///
/// ```swift
/// GoQuote.quote("a\"b")            // "\"a\\\"b\""
/// GoQuote.quote("tab\there\u{7}")  // "\"tab\\there\\a\""
/// GoQuote.quote("é\u{200B}")       // "\"é\\u200b\""
/// GoQuote.quote(bytes: [0x61, 0xFF]) // "\"a\\xff\""
/// ```
public enum GoQuote {
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars { appendEscaped(scalar, to: &out) }
        out.append("\"")
        return out
    }

    /// Quotes bytes that may not be UTF-8, as Go quotes a string holding them.
    public static func quote(bytes: some Collection<UInt8>) -> String {
        let bytes = Array(bytes)
        var out = "\""
        var index = 0
        while index < bytes.count {
            if let (scalar, width) = decodeRune(bytes, at: index) {
                appendEscaped(scalar, to: &out)
                index += width
            } else {
                out.append("\\x" + hex(UInt32(bytes[index]), width: 2))
                index += 1
            }
        }
        out.append("\"")
        return out
    }

    /// The rune at `index` and its width, or nil where Go's `utf8.DecodeRune` reports an error (which it
    /// then skips one byte past): overlong forms, surrogates and values past U+10FFFF are errors.
    private static func decodeRune(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        if lead < 0x80 { return (Unicode.Scalar(lead), 1) }
        let width: Int
        var second: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: width = 2
        case 0xE0: (width, second) = (3, 0xA0...0xBF)
        case 0xED: (width, second) = (3, 0x80...0x9F)
        case 0xE1...0xEF: width = 3
        case 0xF0: (width, second) = (4, 0x90...0xBF)
        case 0xF4: (width, second) = (4, 0x80...0x8F)
        case 0xF1...0xF3: width = 4
        default: return nil
        }
        guard index + width <= bytes.count, second.contains(bytes[index + 1]) else { return nil }
        var value = UInt32(lead) & (0xFF >> (width + 1))
        for offset in 1..<width {
            let byte = bytes[index + offset]
            guard byte & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        guard let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, width)
    }

    /// Go's `strconv.IsPrint`.
    public static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == " " { return true }
        switch scalar.properties.generalCategory {
        case .control, .format, .privateUse, .surrogate, .unassigned, .spaceSeparator, .lineSeparator,
            .paragraphSeparator:
            return false
        default:
            return true
        }
    }

    /// Whether every rune of `text` is printable, as Go's checks over `unicode.IsPrint` decide.
    public static func isPrintable(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy(isPrintable)
    }

    private static func appendEscaped(_ scalar: Unicode.Scalar, to out: inout String) {
        switch scalar {
        case "\"": out.append("\\\"")
        case "\\": out.append("\\\\")
        case _ where isPrintable(scalar): out.unicodeScalars.append(scalar)
        case "\u{07}": out.append("\\a")
        case "\u{08}": out.append("\\b")
        case "\u{0C}": out.append("\\f")
        case "\n": out.append("\\n")
        case "\r": out.append("\\r")
        case "\t": out.append("\\t")
        case "\u{0B}": out.append("\\v")
        case _ where scalar.value < 0x20 || scalar.value == 0x7F: out.append("\\x" + hex(scalar.value, width: 2))
        case _ where scalar.value < 0x10000: out.append("\\u" + hex(scalar.value, width: 4))
        default: out.append("\\U" + hex(scalar.value, width: 8))
        }
    }

    private static func hex(_ value: UInt32, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
