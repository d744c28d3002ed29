extension MemoryPhysical {
    /// The hash table of ``Record``s, which it owns: open addressing with linear probing over one array of
    /// pointers (eight bytes a slot), at most three quarters full. A lookup compares the packed key in place, so
    /// neither a read nor a write allocates a probe; a removal shifts the following entries back instead of
    /// leaving a tombstone. Records are freed when replaced, removed, or with the table.
    ///
    /// ```swift
    /// var table = RecordTable()
    /// table.insert(record)                                   // true: the key was new
    /// key.withUnsafeBufferPointer { table.find($0, hash: record.hash) }  // record
    /// ```
    struct RecordTable: ~Copyable {
        private var slots = [UnsafeMutableRawPointer?](repeating: nil, count: 64)
        private(set) var count = 0

        deinit {
            for case let base? in slots { Record(base: base).free() }
        }

        private var mask: Int { slots.count - 1 }

        private func stored(at index: Int) -> Record? { slots[index].map(Record.init(base:)) }

        func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Record? {
            index(of: key, hash: hash).flatMap { stored(at: $0) }
        }

        /// Stores `record`, replacing the record with the same key; true when the key was new.
        @discardableResult
        mutating func insert(_ record: Record) -> Bool {
            if (count + 1) * 4 > slots.count * 3 { grow() }
            var index = Int(record.hash) & mask
            while let existing = stored(at: index) {
                if record.withPackedKey({ existing.hasKey($0, hash: record.hash) }) {
                    slots[index] = record.base
                    existing.free()
                    return false
                }
                index = (index + 1) & mask
            }
            slots[index] = record.base
            count += 1
            return true
        }

        /// Removes the record with this key; false when there was none.
        mutating func remove(_ key: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Bool {
            guard var hole = index(of: key, hash: hash), let removed = stored(at: hole) else { return false }
            removed.free()
            slots[hole] = nil
            count -= 1
            // Move back every later entry of the cluster whose home slot does not lie after the hole, so each
            // stays reachable from its home without a gap.
            var next = (hole + 1) & mask
            while let record = stored(at: next) {
                let home = Int(record.hash) & mask
                if (next - home) & mask >= (next - hole) & mask {
                    slots[hole] = record.base
                    slots[next] = nil
                    hole = next
                }
                next = (next + 1) & mask
            }
            return true
        }

        /// Every stored record, in no particular order; valid while the table is neither changed nor freed.
        var records: some Sequence<Record> { slots.lazy.compactMap { $0.map(Record.init(base:)) } }

        private func index(of key: UnsafeBufferPointer<UInt8>, hash: UInt32) -> Int? {
            var index = Int(hash) & mask
            while let record = stored(at: index) {
                if record.hasKey(key, hash: hash) { return index }
                index = (index + 1) & mask
            }
            return nil
        }

        private mutating func grow() {
            let old = slots
            slots = [UnsafeMutableRawPointer?](repeating: nil, count: old.count * 2)
            for case let base? in old {
                var index = Int(Record(base: base).hash) & mask
                while slots[index] != nil { index = (index + 1) & mask }
                slots[index] = base
            }
        }
    }
}
