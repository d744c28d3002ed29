extension MemoryPhysical {
    /// Storage keys as ``MemoryPhysical`` holds them: each run of 16 or more lowercase hex digits is stored as
    /// the bytes it spells, behind a marker (`0xFF`, which no UTF-8 text contains) and the run's byte count.
    /// Most stored keys end in a salted hash written as 64 hex digits (`sys/token/id/<hmac>`,
    /// `sys/token/parent/<hmac>/<hmac>`), so this halves the largest part of them. Packing is a function of the
    /// key's bytes and unpacking inverts it, so packed keys compare equal exactly when the keys do.
    ///
    /// ```swift
    /// let packed = PackedKey.pack(Array("id/0123456789abcdef".utf8))  // "id/" 0xFF 8 0x01 0x23 … 0xEF
    /// PackedKey.unpack(packed) == Array("id/0123456789abcdef".utf8)  // true
    /// ```
    enum PackedKey {
        static let marker: UInt8 = 0xFF
        /// Shorter runs are kept as text: a packed run costs two bytes more than half its length.
        static let minimumRun = 16

        static func pack(_ raw: [UInt8]) -> [UInt8] {
            guard hasPackableRun(raw) else { return raw }
            // Written through buffers: every storage write packs its key, three or more per login. A packed run
            // is shorter than its text, so the packed key never outgrows the raw one.
            return raw.withUnsafeBufferPointer { raw in
                [UInt8](unsafeUninitializedCapacity: raw.count) { packed, written in
                    written = pack(raw, into: packed)
                }
            }
        }

        /// Packs `raw` into `packed` (at least `raw.count` bytes) and returns the bytes written.
        private static func pack(_ raw: UnsafeBufferPointer<UInt8>, into packed: UnsafeMutableBufferPointer<UInt8>)
            -> Int
        {
            var written = 0
            func copy(_ range: Range<Int>) {
                for index in range {
                    packed[written] = raw[index]
                    written += 1
                }
            }
            var index = 0
            while index < raw.count {
                var end = index
                while end < raw.count, nibble(raw[end]) != nil { end += 1 }
                guard end - index >= minimumRun else {
                    copy(index..<max(end, index + 1))
                    index = max(end, index + 1)
                    continue
                }
                var pairs = (end - index) / 2
                while pairs > 0 {
                    let chunk = min(pairs, Int(UInt8.max))
                    packed[written] = marker
                    packed[written + 1] = UInt8(truncatingIfNeeded: chunk)
                    written += 2
                    for pair in 0..<chunk {
                        let high = nibble(raw[index + 2 * pair]) ?? 0
                        let low = nibble(raw[index + 2 * pair + 1]) ?? 0
                        packed[written] = high << 4 | low
                        written += 1
                    }
                    index += 2 * chunk
                    pairs -= chunk
                }
                // An odd run's last digit stays text.
                copy(index..<end)
                index = end
            }
            return written
        }

        static func unpack(_ packed: UnsafeBufferPointer<UInt8>) -> [UInt8] {
            var raw: [UInt8] = []
            raw.reserveCapacity(packed.count * 2)
            var index = 0
            while index < packed.count {
                guard packed[index] == marker, index + 1 < packed.count else {
                    raw.append(packed[index])
                    index += 1
                    continue
                }
                let end = min(index + 2 + Int(packed[index + 1]), packed.count)
                for byte in packed[(index + 2)..<end] {
                    raw.append(hexDigit(byte >> 4))
                    raw.append(hexDigit(byte & 0x0F))
                }
                index = end
            }
            return raw
        }

        private static func hasPackableRun(_ raw: [UInt8]) -> Bool {
            var run = 0
            for byte in raw {
                run = nibble(byte) == nil ? 0 : run + 1
                if run >= minimumRun { return true }
            }
            return false
        }

        private static func nibble(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte &- UInt8(ascii: "a") &+ 10
            default: return nil
            }
        }

        private static func hexDigit(_ value: UInt8) -> UInt8 {
            value < 10 ? UInt8(ascii: "0") &+ value : UInt8(ascii: "a") &+ (value &- 10)
        }
    }
}
