/// Go's `base64.StdEncoding.DecodeString`, which Vault applies to submitted policy text: padding is
/// required, `\r` and `\n` are skipped anywhere, and unused trailing bits are tolerated.
///
/// ```swift
/// StandardBase64.decode("cGF0aA==")   // Array("path".utf8)
/// StandardBase64.decode("path \"a\"") // nil: not base64, so the text is used as is
/// ```
enum StandardBase64 {
    static func decode(_ text: String) -> [UInt8]? {
        var sextets: [UInt8] = []
        sextets.reserveCapacity(text.utf8.count)
        var padding = 0
        for byte in text.utf8 {
            if byte == 0x0A || byte == 0x0D { continue }
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            // Data after padding is corrupt input.
            guard padding == 0, let value = sextet(byte) else { return nil }
            sextets.append(value)
        }
        guard (sextets.count + padding) % 4 == 0, padding <= 2 else { return nil }
        if padding > 0 && (sextets.count % 4) != 4 - padding { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(sextets.count * 3 / 4)
        var index = 0
        while index + 4 <= sextets.count {
            let s = sextets[index..<index + 4].map(UInt32.init)
            let word = s[0] << 18 | s[1] << 12 | s[2] << 6 | s[3]
            out.append(UInt8(word >> 16 & 0xFF))
            out.append(UInt8(word >> 8 & 0xFF))
            out.append(UInt8(word & 0xFF))
            index += 4
        }
        let rest = sextets[index...].map(UInt32.init)
        switch rest.count {
        case 2:
            out.append(UInt8((rest[0] << 2 | rest[1] >> 4) & 0xFF))
        case 3:
            let word = rest[0] << 18 | rest[1] << 12 | rest[2] << 6
            out.append(UInt8(word >> 16 & 0xFF))
            out.append(UInt8(word >> 8 & 0xFF))
        default:
            break
        }
        return out
    }

    private static func sextet(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): byte - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0") + 52
        case UInt8(ascii: "+"): 62
        case UInt8(ascii: "/"): 63
        default: nil
        }
    }
}
