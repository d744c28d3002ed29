extension MemoryPhysical {
    /// One stored key and its value in a single `malloc`ed block: a 12-byte header (the packed key's hash, so
    /// growing the table never rehashes a key, and the two lengths), the packed key's bytes (``PackedKey``), then
    /// the value's. Two arrays would cost a second allocation and two 32-byte array headers per key, and a class
    /// instance 16 bytes more, which for the token store's small index values was more than the data.
    ///
    /// A `Record` is a handle, not an owner: the ``RecordTable`` holding it frees it when it is replaced or
    /// removed, and every read happens under the store's lock.
    ///
    /// ```swift
    /// let key = PackedKey.pack(Array("sys/token/id/…".utf8))
    /// let record = Record.make(key: key, hash: MemoryPhysical.hash(key), value: sealed)
    /// record.value // sealed
    /// ```
    struct Record {
        private static let headerSize = 12
        let base: UnsafeMutableRawPointer

        /// Whether a key and value of these sizes fit a record's 32-bit lengths.
        static func fits(key: [UInt8], value: [UInt8]) -> Bool {
            UInt32(exactly: key.count) != nil && UInt32(exactly: value.count) != nil
                && key.count <= Int.max - headerSize - value.count
        }

        /// A record of a key and value that ``fits(key:value:)``; the caller's table frees it.
        static func make(key: [UInt8], hash: UInt32, value: [UInt8]) -> Record {
            let base = UnsafeMutableRawPointer.allocate(
                byteCount: headerSize + key.count + value.count, alignment: MemoryLayout<UInt32>.alignment)
            base.storeBytes(of: hash, as: UInt32.self)
            base.storeBytes(of: UInt32(truncatingIfNeeded: key.count), toByteOffset: 4, as: UInt32.self)
            base.storeBytes(of: UInt32(truncatingIfNeeded: value.count), toByteOffset: 8, as: UInt32.self)
            // An empty array may have no buffer: then there is nothing to copy.
            key.withUnsafeBytes { bytes in
                if let source = bytes.baseAddress {
                    (base + headerSize).copyMemory(from: source, byteCount: bytes.count)
                }
            }
            value.withUnsafeBytes { bytes in
                if let source = bytes.baseAddress {
                    (base + headerSize + key.count).copyMemory(from: source, byteCount: bytes.count)
                }
            }
            return Record(base: base)
        }

        func free() { base.deallocate() }

        var hash: UInt32 { base.load(as: UInt32.self) }
        private var keyCount: Int { Int(base.load(fromByteOffset: 4, as: UInt32.self)) }
        private var valueCount: Int { Int(base.load(fromByteOffset: 8, as: UInt32.self)) }

        /// The stored value, copied out (callers own and may change what they read).
        var value: [UInt8] {
            let start = (base + Self.headerSize + keyCount).assumingMemoryBound(to: UInt8.self)
            return Array(UnsafeBufferPointer(start: start, count: valueCount))
        }

        /// Calls `body` with the packed key's bytes.
        func withPackedKey<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
            body(
                UnsafeBufferPointer(
                    start: (base + Self.headerSize).assumingMemoryBound(to: UInt8.self), count: keyCount))
        }

        /// The key as it was stored (unpacked).
        var rawKey: [UInt8] { withPackedKey { PackedKey.unpack($0) } }

        func hasKey(_ key: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Bool {
            guard self.hash == hash else { return false }
            return withPackedKey { $0.elementsEqual(key) }
        }
    }
}
