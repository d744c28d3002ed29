/// Go's `base64.StdEncoding.DecodeString`, which Vault applies to submitted policy text: padding is
/// required, `\r` and `\n` are skipped anywhere, and unused trailing bits are tolerated.
///
/// ```swift
/// StandardBase64.decode("cGF0aA==")   // Array("path".utf8)
/// StandardBase64.decode("path \"a\"") // nil: not base64, so the text is used as is
/// ```
public enum StandardBase64 {
    public static func decode(_ text: String) -> [UInt8]? {
        var characters: [UInt8] = []
        characters.reserveCapacity(text.utf8.count)
        var padding = 0
        for byte in text.utf8 {
            if byte == 0x0A || byte == 0x0D { continue }
            if byte == UInt8(ascii: "=") {
                padding += 1
                continue
            }
            // Data after padding is corrupt input.
            guard padding == 0 else { return nil }
            characters.append(byte)
        }
        guard (characters.count + padding) % 4 == 0, padding <= 2 else { return nil }
        if padding > 0 && characters.count % 4 != 4 - padding { return nil }
        return Base64Sextets.decode(characters[...], table: Base64Sextets.standardTable)
    }
}
