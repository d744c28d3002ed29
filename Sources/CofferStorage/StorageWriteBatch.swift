/// The writes of one group commit folded into the rows a database must end up with, for any backend.
///
/// Every write is validated alone first, so a write with a bad key fails by itself and the rest of the batch
/// still commits. The valid writes are then folded in order into the final state of each key (the last put or
/// delete of a key wins, as it would inside one transaction), which a backend's writer applies with a few
/// multi-row statements instead of one statement, savepoint and round trip per row. SQLite's and PostgreSQL's
/// write queues both use it (docs/storage.md).
///
/// ```swift
/// let batch = StorageWriteBatch([[.put(key: "a", value: [1])], [.put(key: "bad/", value: [])], [.delete(key: "a")]])
/// batch.rejected      // [1: StorageError] — the second write alone fails
/// batch.deletes       // ["a"]: the first write's put of "a" was overtaken by the third write
/// ```
public struct StorageWriteBatch: Sendable {
    /// The final value of each key the batch puts, in first-touched order.
    public private(set) var puts: [(key: String, value: [UInt8])] = []
    /// Keys the batch leaves deleted.
    public private(set) var deletes: [String] = []
    /// Index of each write refused before any SQL ran, with its error.
    public private(set) var rejected: [Int: any Error] = [:]
    /// Writes that reach the database.
    public private(set) var acceptedCount = 0

    public init(_ writes: [[StorageOperation]]) {
        var finalValue: [String: [UInt8]?] = [:]
        var order: [String] = []
        for (index, write) in writes.enumerated() {
            do {
                for operation in write { try StorageKeys.validate(operation.key) }
            } catch {
                rejected[index] = error
                continue
            }
            acceptedCount += 1
            for operation in write {
                if finalValue.updateValue(operation.value, forKey: operation.key) == nil { order.append(operation.key) }
            }
        }
        for key in order {
            guard let value = finalValue[key] else { continue }
            if let value { puts.append((key, value)) } else { deletes.append(key) }
        }
    }

    public var isEmpty: Bool { puts.isEmpty && deletes.isEmpty }
}
