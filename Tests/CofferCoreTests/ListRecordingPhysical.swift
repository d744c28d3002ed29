import CofferStorage
import Synchronization

/// A ``PhysicalStorage`` that passes everything to another and records every listed prefix, so a test can tell
/// which listings an operation (an unseal, say) made.
///
/// ```swift
/// let recording = ListRecordingPhysical(MemoryPhysical())
/// _ = try await recording.list(prefix: "sys/")
/// recording.listed    // ["sys/"]
/// ```
final class ListRecordingPhysical: PhysicalStorage {
    let backend: any PhysicalStorage
    private let prefixes = Mutex<[String]>([])

    init(_ backend: any PhysicalStorage) { self.backend = backend }

    var listed: [String] { prefixes.withLock { $0 } }
    func reset() { prefixes.withLock { $0.removeAll() } }

    func get(_ key: String) async throws -> [UInt8]? { try await backend.get(key) }
    func put(_ key: String, value: [UInt8]) async throws { try await backend.put(key, value: value) }
    func delete(_ key: String) async throws { try await backend.delete(key) }
    func list(prefix: String) async throws -> [String] {
        prefixes.withLock { $0.append(prefix) }
        return try await backend.list(prefix: prefix)
    }
    func transaction(_ operations: [StorageOperation]) async throws { try await backend.transaction(operations) }
}
