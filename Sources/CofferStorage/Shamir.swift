/// Shamir secret sharing over ``GF256``, share for share what Vault produces and accepts, so that unseal keys
/// move between the two (see docs/seal.md).
///
/// A share is the secret's length in value bytes followed by one x-coordinate byte: a 32-byte unseal key
/// gives 33-byte shares. Any `threshold` of the `parts` shares give the secret back; fewer give an unrelated
/// value. ``combine(_:)`` cannot tell a wrong set from a right one: whoever holds the result must check it
/// (the seal does so by decrypting with it).
///
/// ```swift
/// let shares = try Shamir.split(unsealKey, parts: 5, threshold: 3)
/// let key = try Shamir.combine([shares[4], shares[0], shares[2]])  // == unsealKey
/// ```
public enum Shamir {
    /// Splits `secret` into `parts` shares of which any `threshold` reconstruct it.
    ///
    /// `randomBytes(n)` must return `n` bytes from a CSPRNG; it is drawn from for the x-coordinates first
    /// (one byte per draw) and then for each secret byte's `threshold - 1` coefficients, in that order.
    public static func split(
        _ secret: [UInt8], parts: Int, threshold: Int, randomBytes: (Int) -> [UInt8] = SecureRandom.bytes
    ) throws(ShamirError) -> [[UInt8]] {
        try checkSplitArguments(secretLength: secret.count, parts: parts, threshold: threshold)
        let xs = try xCoordinates(count: parts, randomBytes: randomBytes)
        var shares = xs.map { x in
            var share = [UInt8](repeating: 0, count: secret.count + 1)
            share[secret.count] = x
            return share
        }
        // The coefficients together with any one share reveal the secret byte, so none are left behind.
        var coefficients = [UInt8](repeating: 0, count: threshold)
        defer { wipe(&coefficients) }
        for (index, byte) in secret.enumerated() {
            var random = randomBytes(threshold - 1)
            defer { wipe(&random) }
            guard random.count == threshold - 1 else { throw .randomSourceFailed }
            coefficients[0] = byte
            coefficients.replaceSubrange(1..., with: random)
            for share in shares.indices {
                shares[share][index] = evaluate(coefficients, at: xs[share])
            }
        }
        return shares
    }

    /// The secret whose shares `parts` are, by Lagrange interpolation at x = 0. Any set of distinct,
    /// equally long shares gives some value; only a set of `threshold` or more from one split gives the secret.
    public static func combine(_ parts: [[UInt8]]) throws(ShamirError) -> [UInt8] {
        guard parts.count >= 2 else { throw .tooFewParts }
        let length = parts[0].count
        guard length >= 2 else { throw .partTooShort }
        guard parts.allSatisfy({ $0.count == length }) else { throw .partLengthsDiffer }
        let xs = parts.map { $0[length - 1] }
        guard Set(xs).count == xs.count else { throw .duplicatePart }
        // The Lagrange basis depends only on the x-coordinates, so it is worked out once for every byte.
        let basis = lagrangeBasisAtZero(xs)
        var secret = [UInt8](repeating: 0, count: length - 1)
        for index in secret.indices {
            var value: UInt8 = 0
            for (part, weight) in zip(parts, basis) {
                value = GF256.add(value, GF256.multiply(part[index], weight))
            }
            secret[index] = value
        }
        return secret
    }

    /// Vault's checks, in Vault's order, so that a request breaking several gets Vault's message.
    private static func checkSplitArguments(secretLength: Int, parts: Int, threshold: Int) throws(ShamirError) {
        guard parts >= threshold else { throw .partsLessThanThreshold }
        guard parts <= 255 else { throw .tooManyParts }
        guard threshold >= 2 else { throw .thresholdTooSmall }
        guard threshold <= 255 else { throw .thresholdTooLarge }
        guard secretLength > 0 else { throw .emptySecret }
    }

    /// The first `count` entries of a uniformly random permutation of 1...255 (a partial Fisher–Yates
    /// shuffle), so the coordinates are distinct and never 0, where the polynomial is the secret itself.
    private static func xCoordinates(count: Int, randomBytes: (Int) -> [UInt8]) throws(ShamirError) -> [UInt8] {
        var candidates = (1...255).map { UInt8($0) }
        for position in 0..<count {
            let pick = try uniformIndex(below: candidates.count - position, randomBytes: randomBytes)
            candidates.swapAt(position, position + pick)
        }
        return Array(candidates.prefix(count))
    }

    /// A uniform value in 0..<bound (1 ≤ bound ≤ 256) from single random bytes, rejecting the bytes past the
    /// last whole multiple of `bound` so that no value is more likely than another. A source that keeps
    /// returning rejected bytes is a broken source, not bad luck (2⁻⁶⁴ at worst), and is refused.
    private static func uniformIndex(below bound: Int, randomBytes: (Int) -> [UInt8]) throws(ShamirError) -> Int {
        let limit = 256 - 256 % bound
        for _ in 0..<64 {
            guard let byte = randomBytes(1).first else { throw .randomSourceFailed }
            if Int(byte) < limit { return Int(byte) % bound }
        }
        throw .randomSourceFailed
    }

    /// The polynomial with `coefficients` (constant term first) at `x`, by Horner's rule from the top.
    private static func evaluate(_ coefficients: [UInt8], at x: UInt8) -> UInt8 {
        var result: UInt8 = 0
        for coefficient in coefficients.reversed() {
            result = GF256.add(GF256.multiply(result, x), coefficient)
        }
        return result
    }

    /// For each i, Π_{j≠i} x_j / (x_i ⊕ x_j): the weight of share i's value in the polynomial's value at 0.
    private static func lagrangeBasisAtZero(_ xs: [UInt8]) -> [UInt8] {
        xs.indices.map { i in
            var weight: UInt8 = 1
            for j in xs.indices where j != i {
                weight = GF256.multiply(weight, GF256.divide(xs[j], GF256.add(xs[i], xs[j])))
            }
            return weight
        }
    }

    private static func wipe(_ bytes: inout [UInt8]) {
        for index in bytes.indices { bytes[index] = 0 }
    }
}
