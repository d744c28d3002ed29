import CofferStorage
import Testing

@Suite struct SecureRandomTests {
    /// Across pool refills (4 KiB) and the unpooled path for large requests, every request gets its own bytes.
    @Test func requestsGetDistinctBytesAcrossRefills() {
        var seen: Set<[UInt8]> = []
        for size in [12, 16, 24, 32, 300, 5000] {
            for _ in 0..<600 {
                let bytes = SecureRandom.bytes(size)
                #expect(bytes.count == size)
                #expect(seen.insert(bytes).inserted)
            }
        }
        // 8 MiB of output: each byte value appears about equally often (a stuck or zeroed pool would not).
        var counts = [Int](repeating: 0, count: 256)
        for _ in 0..<(1 << 15) { for byte in SecureRandom.bytes(256) { counts[Int(byte)] += 1 } }
        let expected = Double(1 << 15)
        #expect(counts.allSatisfy { abs(Double($0) - expected) < expected * 0.05 })
    }
}
