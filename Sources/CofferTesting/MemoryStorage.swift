import CofferStorage

/// ``MemoryPhysical`` seen as the plaintext ``Storage`` a mount gets (same keys and listing rules), for driving a
/// backend without a core. Reads and transactions yield first, as real storage suspends, so concurrent writers
/// genuinely interleave.
///
/// ```swift
/// let request = LogicalRequest(operation: .read, path: "data/app", mountPoint: "secret/", storage: MemoryStorage())
/// ```
public struct MemoryStorage: Storage {
    public let physical = MemoryPhysical()

    public init() {}

    public func get(_ key: String) async throws -> [UInt8]? {
        await Task.yield()
        return try await physical.get(key)
    }
    public func put(_ key: String, value: [UInt8]) async throws { try await physical.put(key, value: value) }
    public func delete(_ key: String) async throws { try await physical.delete(key) }
    public func list(prefix: String) async throws -> [String] { try await physical.list(prefix: prefix) }
    public func transaction(_ operations: [StorageOperation]) async throws {
        await Task.yield()
        try await physical.transaction(operations)
    }
}
