/// Arithmetic in GF(2^8) with the AES polynomial x^8+x^4+x^3+x+1, the field Shamir sharing works in
/// (see docs/seal.md).
///
/// Every operation runs in constant time: no table indexed by a value and no branch on one, because the
/// values are bytes of the unseal key.
///
/// ```swift
/// GF256.multiply(0x57, 0x83)  // 0xC1
/// GF256.multiply(0x53, GF256.inverse(0x53))  // 0x01
/// ```
enum GF256 {
    /// Addition and subtraction are both XOR in a field of characteristic 2.
    static func add(_ a: UInt8, _ b: UInt8) -> UInt8 {
        a ^ b
    }

    /// Carry-less multiplication reduced by 0x1B, one bit of `b` per round from the top. The masks
    /// `0 &- bit` are all ones or all zeros, so both the addition of `a` and the reduction happen
    /// without a branch.
    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        var result: UInt8 = 0
        var bit: UInt8 = 8
        while bit > 0 {
            bit -= 1
            let addA = 0 &- ((b >> bit) & 1)
            let reduce = 0 &- (result >> 7)
            result = (addA & a) ^ (reduce & 0x1B) ^ (result << 1)
        }
        return result
    }

    /// a^254, which is a⁻¹ for every non-zero a (the multiplicative group has order 255) and 0 for 0.
    /// A fixed chain of squarings and multiplications, the same for every input.
    static func inverse(_ a: UInt8) -> UInt8 {
        var b = multiply(a, a)  // a^2
        var c = multiply(a, b)  // a^3
        b = multiply(c, c)  // a^6
        b = multiply(b, b)  // a^12
        c = multiply(b, c)  // a^15
        b = multiply(b, b)  // a^24
        b = multiply(b, b)  // a^48
        b = multiply(b, c)  // a^63
        b = multiply(b, b)  // a^126
        b = multiply(a, b)  // a^127
        return multiply(b, b)  // a^254
    }

    /// a / b; 0 when b is 0 (the inverse of 0 is 0), which callers rule out beforehand.
    static func divide(_ a: UInt8, _ b: UInt8) -> UInt8 {
        multiply(a, inverse(b))
    }
}
