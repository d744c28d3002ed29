extension MemoryPhysical {
    /// What a ``Record`` stores before its bytes: the packed key's hash (so growing the table never rehashes a
    /// key) and the two lengths.
    struct RecordHeader {
        let hash: Int
        let keyCount: UInt32
        let valueCount: UInt32
    }

    /// One stored key and its value in a single allocation: the packed key's bytes (``PackedKey``), then the
    /// value's. Two arrays would cost a second allocation and two 32-byte array headers per key, which for the
    /// token store's small index values was more than the data.
    ///
    /// ```swift
    /// let key = PackedKey.pack(Array("sys/token/id/…".utf8))
    /// let record = Record.make(key: key, hash: MemoryPhysical.hash(key), value: sealed)
    /// record.value // sealed
    /// ```
    final class Record: ManagedBuffer<RecordHeader, UInt8> {
        /// Whether a key and value of these sizes fit a record's 32-bit lengths.
        static func fits(key: [UInt8], value: [UInt8]) -> Bool {
            UInt32(exactly: key.count) != nil && UInt32(exactly: value.count) != nil
        }

        /// A record of a key and value that ``fits(key:value:)``.
        static func make(key: [UInt8], hash: Int, value: [UInt8]) -> Record {
            let buffer = Record.create(minimumCapacity: key.count + value.count) { _ in
                RecordHeader(
                    hash: hash, keyCount: UInt32(truncatingIfNeeded: key.count),
                    valueCount: UInt32(truncatingIfNeeded: value.count))
            }
            let record = unsafeDowncast(buffer, to: Record.self)
            record.withUnsafeMutablePointerToElements { bytes in
                _ = UnsafeMutableBufferPointer(start: bytes, count: key.count).initialize(fromContentsOf: key)
                _ = UnsafeMutableBufferPointer(start: bytes + key.count, count: value.count)
                    .initialize(fromContentsOf: value)
            }
            return record
        }

        var hash: Int { header.hash }

        /// The stored value, copied out (callers own and may change what they read).
        var value: [UInt8] {
            withUnsafeMutablePointers { header, bytes in
                let start = bytes + Int(header.pointee.keyCount)
                return Array(UnsafeBufferPointer(start: start, count: Int(header.pointee.valueCount)))
            }
        }

        /// Calls `body` with the packed key's bytes.
        func withPackedKey<Result>(_ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
            withUnsafeMutablePointers { header, bytes in
                body(UnsafeBufferPointer(start: bytes, count: Int(header.pointee.keyCount)))
            }
        }

        /// The key as it was stored (unpacked).
        var rawKey: [UInt8] { withPackedKey { PackedKey.unpack($0) } }

        func hasKey(_ key: UnsafeBufferPointer<UInt8>, hash: Int) -> Bool {
            guard header.hash == hash else { return false }
            return withPackedKey { $0.elementsEqual(key) }
        }
    }
}
