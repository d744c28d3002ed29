/// The decoding both base64 alphabets share: characters to 6-bit values through a table, values to bytes.
/// ``Base64URL`` and ``StandardBase64`` differ only in their alphabet and in what they accept around the
/// characters (padding, line breaks), which each checks before calling ``decode(_:table:)``.
///
/// ```swift
/// Base64Sextets.decode(Array("Zm9v".utf8)[...], table: Base64Sextets.urlTable)   // Array("foo".utf8)
/// ```
enum Base64Sextets {
    static let urlAlphabet: [UInt8] = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)
    static let standardAlphabet: [UInt8] = Array(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
    static let urlTable = table(urlAlphabet)
    static let standardTable = table(standardAlphabet)

    /// Each byte's 6-bit value, or 0xFF for bytes outside `alphabet`.
    private static func table(_ alphabet: [UInt8]) -> [UInt8] {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in alphabet.enumerated() { table[Int(byte)] = UInt8(value) }
        return table
    }

    /// The bytes `characters` encode, or nil for a character outside the table or a lone character left over
    /// at the end. A final two or three characters give one or two bytes; their unused low bits are ignored,
    /// as Go's decoders ignore them.
    static func decode(_ characters: ArraySlice<UInt8>, table: [UInt8]) -> [UInt8]? {
        guard characters.count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(characters.count * 3 / 4)
        var word: UInt32 = 0
        for (position, byte) in characters.enumerated() {
            let value = table[Int(byte)]
            guard value != 0xFF else { return nil }
            word = word << 6 | UInt32(value)
            if position % 4 == 3 {
                out.append(UInt8(word >> 16 & 0xFF))
                out.append(UInt8(word >> 8 & 0xFF))
                out.append(UInt8(word & 0xFF))
                word = 0
            }
        }
        switch characters.count % 4 {
        case 2: out.append(UInt8(word >> 4 & 0xFF))
        case 3:
            out.append(UInt8(word >> 10 & 0xFF))
            out.append(UInt8(word >> 2 & 0xFF))
        default: break
        }
        return out
    }
}
