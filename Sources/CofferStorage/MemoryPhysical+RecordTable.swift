extension MemoryPhysical {
    /// The hash table of ``Record``s: open addressing with linear probing over one array of references (eight
    /// bytes a slot), at most three quarters full. A lookup compares the packed key in place, so neither a read
    /// nor a write allocates a probe; a removal shifts the following entries back instead of leaving a tombstone.
    ///
    /// ```swift
    /// var table = RecordTable()
    /// table.insert(record)                                   // true: the key was new
    /// key.withUnsafeBufferPointer { table.find($0, hash: record.hash) }  // record
    /// ```
    struct RecordTable {
        private var slots = [Record?](repeating: nil, count: 64)
        private(set) var count = 0

        private var mask: Int { slots.count - 1 }

        func find(_ key: UnsafeBufferPointer<UInt8>, hash: Int) -> Record? {
            index(of: key, hash: hash).flatMap { slots[$0] }
        }

        /// Stores `record`, replacing the record with the same key; true when the key was new.
        @discardableResult
        mutating func insert(_ record: Record) -> Bool {
            if (count + 1) * 4 > slots.count * 3 { grow() }
            var index = record.hash & mask
            while let existing = slots[index] {
                if record.withPackedKey({ existing.hasKey($0, hash: record.hash) }) {
                    slots[index] = record
                    return false
                }
                index = (index + 1) & mask
            }
            slots[index] = record
            count += 1
            return true
        }

        /// Removes the record with this key; false when there was none.
        mutating func remove(_ key: UnsafeBufferPointer<UInt8>, hash: Int) -> Bool {
            guard var hole = index(of: key, hash: hash) else { return false }
            slots[hole] = nil
            count -= 1
            // Move back every later entry of the cluster whose home slot does not lie after the hole, so each
            // stays reachable from its home without a gap.
            var next = (hole + 1) & mask
            while let record = slots[next] {
                let home = record.hash & mask
                if (next - home) & mask >= (next - hole) & mask {
                    slots[hole] = record
                    slots[next] = nil
                    hole = next
                }
                next = (next + 1) & mask
            }
            return true
        }

        /// Every stored record, in no particular order.
        var records: some Sequence<Record> { slots.lazy.compactMap { $0 } }

        private func index(of key: UnsafeBufferPointer<UInt8>, hash: Int) -> Int? {
            var index = hash & mask
            while let record = slots[index] {
                if record.hasKey(key, hash: hash) { return index }
                index = (index + 1) & mask
            }
            return nil
        }

        private mutating func grow() {
            let old = slots
            slots = [Record?](repeating: nil, count: old.count * 2)
            for case let record? in old {
                var index = record.hash & mask
                while slots[index] != nil { index = (index + 1) & mask }
                slots[index] = record
            }
        }
    }
}
