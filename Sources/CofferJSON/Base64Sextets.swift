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
        characters.withUnsafeBufferPointer { input in
            table.withUnsafeBufferPointer { table in decode(input, table: table) }
        }
    }

    /// The decoding proper, on buffers: every Azure login decodes a JWT of about 1.5 KB, and a bounds-checked
    /// loop appending to a growing array was a measurable part of a login's time.
    static func decode(_ input: UnsafeBufferPointer<UInt8>, table: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        guard input.count % 4 != 1, table.count == 256 else { return nil }
        let whole = input.count / 4
        let tail = input.count % 4
        let count = whole * 3 + (tail == 0 ? 0 : tail - 1)
        var valid = true
        let out = [UInt8](unsafeUninitializedCapacity: count) { out, initialized in
            var written = 0
            var position = 0
            // 0xFF marks a byte outside the alphabet; OR-ing the four values keeps that bit set for the check.
            for _ in 0..<whole {
                let a = table[Int(input[position])]
                let b = table[Int(input[position + 1])]
                let c = table[Int(input[position + 2])]
                let d = table[Int(input[position + 3])]
                guard (a | b | c | d) & 0xC0 == 0 else {
                    valid = false
                    break
                }
                let word = UInt32(a) << 18 | UInt32(b) << 12 | UInt32(c) << 6 | UInt32(d)
                out[written] = UInt8(truncatingIfNeeded: word >> 16)
                out[written + 1] = UInt8(truncatingIfNeeded: word >> 8)
                out[written + 2] = UInt8(truncatingIfNeeded: word)
                written += 3
                position += 4
            }
            if valid, tail > 0 {
                var word: UInt32 = 0
                for offset in 0..<tail {
                    let value = table[Int(input[position + offset])]
                    guard value & 0xC0 == 0 else {
                        valid = false
                        break
                    }
                    word = word << 6 | UInt32(value)
                }
                if valid, tail == 2 {
                    out[written] = UInt8(truncatingIfNeeded: word >> 4)
                    written += 1
                } else if valid {
                    out[written] = UInt8(truncatingIfNeeded: word >> 10)
                    out[written + 1] = UInt8(truncatingIfNeeded: word >> 2)
                    written += 2
                }
            }
            // Bytes never written stay uninitialised only when the input was refused; UInt8 needs no cleanup.
            initialized = valid ? written : 0
        }
        return valid ? out : nil
    }
}
