import Testing

@testable import CofferStorage

/// A random source that hands out a fixed script of bytes, for the split whose output is known in advance.
private final class ScriptedBytes {
    private var remaining: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { remaining = bytes[...] }

    var isUsedUp: Bool { remaining.isEmpty }

    func take(_ count: Int) -> [UInt8] {
        let taken = Array(remaining.prefix(count))
        remaining = remaining.dropFirst(count)
        return taken
    }
}

/// A small deterministic generator, so that a failing property case can be rerun from its printed seed.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

private func hex(_ text: String) -> [UInt8] {
    var bytes: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
        index = next
    }
    return bytes
}

@Suite struct ShamirTests {
    @Test func fieldCheckValues() {
        #expect(GF256.multiply(0x53, 0xCA) == 0x01)
        #expect(GF256.multiply(0x57, 0x83) == 0xC1)
        #expect(GF256.multiply(0x83, 0x57) == 0xC1)
        #expect(GF256.inverse(0) == 0)
        for a in UInt8(1)...255 {
            #expect(GF256.multiply(a, GF256.inverse(a)) == 1, "a = \(a)")
            #expect(GF256.multiply(a, 1) == a)
            #expect(GF256.multiply(a, 0) == 0)
        }
    }

    /// x-coordinates 07 and C8 come from the partial shuffle of 1...255 drawing 6 (swap slot 0 with 7) and
    /// then 198 (slot 1 with 200 = C8); the coefficients 11 and A5 follow, one per secret byte.
    @Test func specTestVectorSplits() throws {
        let random = ScriptedBytes([6, 198, 0x11, 0xA5])
        let shares = try Shamir.split([0x42, 0x13], parts: 2, threshold: 2, randomBytes: random.take)
        #expect(shares == [hex("354507"), hex("be05c8")])
        #expect(random.isUsedUp)
    }

    @Test func specTestVectorCombines() throws {
        #expect(try Shamir.combine([hex("354507"), hex("be05c8")]) == [0x42, 0x13])
        #expect(try Shamir.combine([hex("be05c8"), hex("354507")]) == [0x42, 0x13])
    }

    @Test func anyThresholdSubsetReconstructs() throws {
        var generator = SplitMix64(state: 0x5EED_0012)
        for round in 0..<150 {
            let length = Int.random(in: 1...64, using: &generator)
            let secret = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let parts = round < 5 ? 255 : Int.random(in: 2...20, using: &generator)
            let threshold = round % 10 == 0 ? parts : Int.random(in: 2...parts, using: &generator)
            let shares = try Shamir.split(secret, parts: parts, threshold: threshold)
            #expect(shares.count == parts)
            #expect(shares.allSatisfy { $0.count == length + 1 })
            let xs = shares.map { $0[length] }
            #expect(Set(xs).count == parts && !xs.contains(0), "round \(round)")
            for _ in 0..<4 {
                let count = Int.random(in: threshold...parts, using: &generator)
                let subset = Array(shares.shuffled(using: &generator).prefix(count))
                #expect(try Shamir.combine(subset) == secret, "round \(round): \(count) of \(parts), t \(threshold)")
            }
        }
    }

    @Test func fewerThanThresholdSharesGiveSomethingElse() throws {
        var generator = SplitMix64(state: 0xBAD_5EED)
        for round in 0..<100 {
            let secret = SecureRandom.bytes(32)
            let parts = Int.random(in: 3...12, using: &generator)
            let threshold = Int.random(in: 3...parts, using: &generator)
            let shares = try Shamir.split(secret, parts: parts, threshold: threshold)
            let subset = Array(shares.shuffled(using: &generator).prefix(threshold - 1))
            #expect(try Shamir.combine(subset) != secret, "round \(round)")
        }
    }

    @Test func xCoordinatesAreDistinctNonZeroAndVary() throws {
        var firstCoordinates: Set<UInt8> = []
        for _ in 0..<200 {
            let shares = try Shamir.split([1, 2, 3], parts: 255, threshold: 2)
            let xs = shares.map { $0[3] }
            #expect(Set(xs) == Set(UInt8(1)...255))
            firstCoordinates.insert(xs[0])
        }
        // 200 draws from 255 values: a fixed or badly biased permutation would repeat far more.
        #expect(firstCoordinates.count > 100)
    }

    @Test(arguments: [
        (2, 3, ShamirError.partsLessThanThreshold, "parts cannot be less than threshold"),
        (256, 3, .tooManyParts, "parts cannot exceed 255"),
        (300, 256, .tooManyParts, "parts cannot exceed 255"),
        (5, 1, .thresholdTooSmall, "threshold must be at least 2"),
        (5, -4, .thresholdTooSmall, "threshold must be at least 2"),
        (Int.min, Int.min, .thresholdTooSmall, "threshold must be at least 2"),
        (Int.max, 3, .tooManyParts, "parts cannot exceed 255"),
    ])
    func splitRefusesBadCounts(parts: Int, threshold: Int, error: ShamirError, text: String) {
        #expect(throws: error) { try Shamir.split([7], parts: parts, threshold: threshold) }
        #expect(error.description == text)
    }

    @Test func splitRefusesEmptySecretAndShortRandomSource() {
        #expect(throws: ShamirError.emptySecret) { try Shamir.split([], parts: 3, threshold: 2) }
        #expect(ShamirError.emptySecret.description == "cannot split an empty secret")
        #expect(throws: ShamirError.randomSourceFailed) {
            try Shamir.split([7], parts: 3, threshold: 2, randomBytes: { _ in [] })
        }
        // 255 is never accepted when choosing among 255 coordinates; a source stuck on it must not hang.
        #expect(throws: ShamirError.randomSourceFailed) {
            try Shamir.split([7], parts: 3, threshold: 2, randomBytes: { [UInt8](repeating: 255, count: $0) })
        }
    }

    @Test func combineRefusesBadParts() {
        let cases: [([[UInt8]], ShamirError, String)] = [
            ([], .tooFewParts, "less than two parts cannot be used to reconstruct the secret"),
            ([hex("354507")], .tooFewParts, "less than two parts cannot be used to reconstruct the secret"),
            ([[7], [8]], .partTooShort, "parts must be at least two bytes"),
            ([[], []], .partTooShort, "parts must be at least two bytes"),
            ([hex("354507"), hex("be05c8ff")], .partLengthsDiffer, "all parts must be the same length"),
            ([hex("354507"), hex("be05c8"), hex("0105")], .partLengthsDiffer, "all parts must be the same length"),
            ([hex("354507"), hex("be0507")], .duplicatePart, "duplicate part detected"),
            ([hex("354507"), hex("be05c8"), hex("354507")], .duplicatePart, "duplicate part detected"),
        ]
        for (parts, error, text) in cases {
            #expect(throws: error) { try Shamir.combine(parts) }
            #expect(error.description == text)
        }
    }
}
