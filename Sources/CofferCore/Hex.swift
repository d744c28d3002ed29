/// Lower-case hexadecimal encoding (hot path: every token hash).
enum Hex {
    private static let digits = Array("0123456789abcdef".utf8)

    static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Eight random lower-case hex characters (mount accessors, entity names).
    static func random8() -> String {
        var generator = SystemRandomNumberGenerator()
        return encode((0..<4).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }
}
