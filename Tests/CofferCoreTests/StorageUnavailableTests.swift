import CofferCore
import CofferFramework
import CofferStorage
import CofferTesting
import Synchronization
import Testing

/// A storage outage (``StorageError/unavailable(_:)``, raised by the PostgreSQL store after its deadline) reaches
/// clients as Vault's 503 envelope, not as a 500, and the same requests succeed once the storage is back.
@Suite struct StorageUnavailableTests {
    @Test func anOutageIsA503AndRecoveryNeedsNothing() async throws {
        let storage = OutagePhysical()
        let harness = try await CoreHarness.make(physical: storage)
        #expect(await harness.request(.update, "sys/mounts/kv", ["type": "kv"]).status == 204)
        #expect(await harness.request(.update, "kv/before", ["value": "1"]).status == 204)

        storage.isDown = true
        let write = await harness.request(.update, "kv/during", ["value": "2"])
        #expect(write.status == 503)
        #expect(write.error?.messages == ["storage unavailable"])
        #expect(await harness.request(.read, "kv/never-written").status == 503)

        storage.isDown = false
        #expect(await harness.request(.update, "kv/after", ["value": "3"]).status == 204)
        #expect(await harness.request(.read, "kv/before").status == 200)
    }
}

/// In-memory storage whose every call fails as an unreachable database while `isDown`.
final class OutagePhysical: PhysicalStorage {
    private let base = MemoryPhysical()
    private let down = Atomic<Bool>(false)

    var isDown: Bool {
        get { down.load(ordering: .relaxed) }
        set { down.store(newValue, ordering: .relaxed) }
    }

    private func check() throws {
        if isDown { throw StorageError.unavailable("test outage") }
    }

    func get(_ key: String) async throws -> [UInt8]? {
        try check()
        return try await base.get(key)
    }
    func put(_ key: String, value: [UInt8]) async throws {
        try check()
        try await base.put(key, value: value)
    }
    func delete(_ key: String) async throws {
        try check()
        try await base.delete(key)
    }
    func list(prefix: String) async throws -> [String] {
        try check()
        return try await base.list(prefix: prefix)
    }
    func transaction(_ operations: [StorageOperation]) async throws {
        try check()
        try await base.transaction(operations)
    }
}
