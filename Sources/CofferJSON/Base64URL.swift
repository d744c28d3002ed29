/// Base64url (RFC 4648 §5) as JWTs, JWKs and batch tokens use it: written without padding, read strictly.
///
/// Reading accepts only the URL alphabet (`-` and `_`, never `+` or `/`), no whitespace, and padding only
/// where it belongs: at the end, one or two `=`, making the length a multiple of four. A length that leaves
/// a single character over is refused. Unused low bits of the last character are ignored, as Go's
/// `base64.RawURLEncoding` ignores them.
///
/// ```swift
/// Base64URL.encode([0xFB, 0xFF])   // "-_8"
/// Base64URL.decode("-_8")          // [0xFB, 0xFF]
/// Base64URL.decode("-_8=")         // [0xFB, 0xFF]
/// Base64URL.decode("+/8")          // nil
/// ```
public enum Base64URL {
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        let input = Array(bytes)
        var out: [UInt8] = []
        out.reserveCapacity((input.count * 4 + 2) / 3)
        var index = 0
        while index + 3 <= input.count {
            let word = UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8 | UInt32(input[index + 2])
            append(word, characters: 4, to: &out)
            index += 3
        }
        switch input.count - index {
        case 1: append(UInt32(input[index]) << 16, characters: 2, to: &out)
        case 2: append(UInt32(input[index]) << 16 | UInt32(input[index + 1]) << 8, characters: 3, to: &out)
        default: break
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The first `characters` sextets of the 24-bit `word`.
    private static func append(_ word: UInt32, characters: Int, to out: inout [UInt8]) {
        for position in 0..<characters {
            out.append(Base64Sextets.urlAlphabet[Int(word >> (18 - 6 * UInt32(position)) & 0x3F)])
        }
    }

    public static func decode(_ text: some StringProtocol) -> [UInt8]? {
        decode(bytes: Array(text.utf8))
    }

    public static func decode(bytes text: some Collection<UInt8>) -> [UInt8]? {
        // A JWT's parts arrive as slices of the token's bytes: decoded in place, not copied first.
        if let decoded = text.withContiguousStorageIfAvailable({ decode(buffer: $0) }) { return decoded }
        return Array(text).withUnsafeBufferPointer { decode(buffer: $0) }
    }

    private static func decode(buffer text: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        var end = text.count
        while end > 0, text[end - 1] == UInt8(ascii: "=") { end -= 1 }
        let padding = text.count - end
        guard padding == 0 || (padding <= 2 && text.count % 4 == 0) else { return nil }
        return Base64Sextets.urlTable.withUnsafeBufferPointer { table in
            Base64Sextets.decode(UnsafeBufferPointer(rebasing: text[..<end]), table: table)
        }
    }
}
