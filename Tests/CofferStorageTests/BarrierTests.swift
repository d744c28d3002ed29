import CofferSQLite
import Crypto
import Foundation
import Testing

@testable import CofferStorage

@Suite struct BarrierTests {
    let sealKey = SymmetricKey(size: .bits256)

    private func initializedBarrier() async throws -> (Barrier, MemoryPhysical) {
        let physical = MemoryPhysical()
        let barrier = Barrier(physical: physical)
        try await barrier.initialize(sealKey: sealKey)
        return (barrier, physical)
    }

    @Test func initializeLeavesItUnsealedAndValuesRoundTrip() async throws {
        let physical = MemoryPhysical()
        let barrier = Barrier(physical: physical)
        #expect(try await barrier.isInitialized() == false)
        #expect(barrier.isSealed)

        try await barrier.initialize(sealKey: sealKey)
        #expect(try await barrier.isInitialized())
        #expect(!barrier.isSealed)
        #expect(barrier.keyStatus().term == 1)

        let secret = Array("hunter2".utf8)
        try await barrier.put("logical/kv/secret", value: secret)
        #expect(try await barrier.get("logical/kv/secret") == secret)
        #expect(try await barrier.get("logical/kv/missing") == nil)
        try await barrier.put("logical/kv/empty", value: [])
        #expect(try await barrier.get("logical/kv/empty") == [])
        #expect(try await barrier.list(prefix: "logical/kv/") == ["empty", "secret"])

        let raw = try #require(try await physical.get("logical/kv/secret"))
        #expect(raw.count == 1 + 4 + 12 + secret.count + 16)
        #expect(raw[0] == 1)
        #expect(Array(raw[1..<5]) == [0, 0, 0, 1])
        #expect(!raw.containsSubsequence(secret))

        try await barrier.delete("logical/kv/secret")
        #expect(try await barrier.get("logical/kv/secret") == nil)
    }

    @Test func sameValueEncryptsDifferentlyEachTime() async throws {
        let (barrier, physical) = try await initializedBarrier()
        try await barrier.put("a", value: [7, 7, 7])
        let first = try await physical.get("a")
        try await barrier.put("a", value: [7, 7, 7])
        let second = try await physical.get("a")
        #expect(first != nil && first != second)
    }

    @Test func initializingTwiceIsRefused() async throws {
        let (barrier, physical) = try await initializedBarrier()
        let keyring = try await physical.get("core/keyring")
        await #expect(throws: StorageError.self) { try await barrier.initialize(sealKey: sealKey) }
        #expect(try await physical.get("core/keyring") == keyring)
    }

    @Test func unsealWithTheRightKeyRestoresAccess() async throws {
        let (barrier, physical) = try await initializedBarrier()
        try await barrier.put("k", value: [42])
        barrier.seal()

        let restarted = Barrier(physical: physical)
        #expect(restarted.isSealed)
        try await restarted.unseal(sealKey: sealKey)
        #expect(!restarted.isSealed)
        #expect(try await restarted.get("k") == [42])
    }

    @Test func wrongSealKeyIsRefused() async throws {
        let (barrier, physical) = try await initializedBarrier()
        barrier.seal()
        let restarted = Barrier(physical: physical)
        await #expect(throws: StorageError.invalidSealKey("the seal key does not decrypt the keyring")) {
            try await restarted.unseal(sealKey: SymmetricKey(size: .bits256))
        }
        #expect(restarted.isSealed)
        await #expect(throws: StorageError.self) {
            try await restarted.unseal(sealKey: SymmetricKey(size: .bits128))
        }
    }

    @Test func unsealingAnUninitializedBarrierFails() async throws {
        let barrier = Barrier(physical: MemoryPhysical())
        await #expect(throws: StorageError.backend("the barrier is not initialized")) {
            try await barrier.unseal(sealKey: sealKey)
        }
    }

    @Test func everyOperationThrowsWhileSealed() async throws {
        let (barrier, _) = try await initializedBarrier()
        try await barrier.put("k", value: [1])
        barrier.seal()
        #expect(barrier.isSealed)
        await #expect(throws: StorageError.sealed) { _ = try await barrier.get("k") }
        await #expect(throws: StorageError.sealed) { _ = try await barrier.get("absent") }
        await #expect(throws: StorageError.sealed) { try await barrier.put("k", value: [2]) }
        await #expect(throws: StorageError.sealed) { try await barrier.delete("k") }
        await #expect(throws: StorageError.sealed) { _ = try await barrier.list(prefix: "") }
        await #expect(throws: StorageError.sealed) { try await barrier.transaction([.put(key: "k", value: [3])]) }
        await #expect(throws: StorageError.sealed) { _ = try await barrier.rotate() }
        #expect(barrier.keyStatus().term == 0)
    }

    @Test func tamperedValueIsCorrupt() async throws {
        let (barrier, physical) = try await initializedBarrier()
        try await barrier.put("logical/x", value: Array("payload".utf8))
        var raw = try #require(try await physical.get("logical/x"))
        raw[raw.count - 20] ^= 0x01
        try await physical.put("logical/x", value: raw)
        await #expect(throws: StorageError.corrupt(key: "logical/x")) { _ = try await barrier.get("logical/x") }

        try await physical.put("logical/short", value: [1, 0, 0])
        await #expect(throws: StorageError.corrupt(key: "logical/short")) { _ = try await barrier.get("logical/short") }
    }

    @Test func valueMovedToAnotherKeyIsCorrupt() async throws {
        let (barrier, physical) = try await initializedBarrier()
        try await barrier.put("auth/alice/policy", value: Array("admin".utf8))
        let raw = try #require(try await physical.get("auth/alice/policy"))
        try await physical.put("auth/bob/policy", value: raw)
        await #expect(throws: StorageError.corrupt(key: "auth/bob/policy")) {
            _ = try await barrier.get("auth/bob/policy")
        }
    }

    @Test func unknownTermIsReported() async throws {
        let (barrier, physical) = try await initializedBarrier()
        try await barrier.put("k", value: [1])
        var raw = try #require(try await physical.get("k"))
        raw[4] = 9
        try await physical.put("k", value: raw)
        await #expect(throws: StorageError.unknownKeyTerm(9)) { _ = try await barrier.get("k") }
    }

    @Test func keyringPathIsReserved() async throws {
        let (barrier, physical) = try await initializedBarrier()
        let keyring = try await physical.get("core/keyring")
        await #expect(throws: StorageError.self) { try await barrier.put("core/keyring", value: [1]) }
        await #expect(throws: StorageError.self) { try await barrier.delete("core/keyring") }
        await #expect(throws: StorageError.self) {
            try await barrier.transaction([.put(key: "core/keyring", value: [1])])
        }
        #expect(try await physical.get("core/keyring") == keyring)
    }

    @Test func rotationKeepsOldValuesReadableAndPersists() async throws {
        let (barrier, physical) = try await initializedBarrier()
        try await barrier.put("old", value: [1])
        let before = barrier.keyStatus()

        let term = try await barrier.rotate()
        #expect(term == 2)
        #expect(barrier.keyStatus().term == 2)
        #expect(barrier.keyStatus().installTime >= before.installTime)

        try await barrier.put("new", value: [2])
        #expect(Array(try #require(try await physical.get("old"))[1..<5]) == [0, 0, 0, 1])
        #expect(Array(try #require(try await physical.get("new"))[1..<5]) == [0, 0, 0, 2])
        #expect(try await barrier.get("old") == [1])
        #expect(try await barrier.get("new") == [2])

        // The rotated keyring is what a later unseal loads.
        barrier.seal()
        let restarted = Barrier(physical: physical)
        try await restarted.unseal(sealKey: sealKey)
        #expect(restarted.keyStatus().term == 2)
        #expect(try await restarted.get("old") == [1])
        #expect(try await restarted.get("new") == [2])
    }

    @Test func concurrentRotationsAllPersist() async throws {
        let (barrier, physical) = try await initializedBarrier()
        let terms = try await withThrowingTaskGroup(of: UInt32.self) { group in
            for _ in 0..<8 { group.addTask { try await barrier.rotate() } }
            return try await group.reduce(into: [UInt32]()) { $0.append($1) }
        }
        #expect(terms.sorted() == Array(2...9))
        let restarted = Barrier(physical: physical)
        try await restarted.unseal(sealKey: sealKey)
        #expect(restarted.keyStatus().term == 9)
    }

    @Test func transactionEncryptsEveryPut() async throws {
        let (barrier, physical) = try await initializedBarrier()
        try await barrier.put("t/gone", value: [0])
        try await barrier.transaction([.put(key: "t/a", value: Array("alpha".utf8)), .delete(key: "t/gone")])
        #expect(try await barrier.get("t/a") == Array("alpha".utf8))
        #expect(try await barrier.get("t/gone") == nil)
        let raw = try #require(try await physical.get("t/a"))
        #expect(!raw.containsSubsequence(Array("alpha".utf8)))
    }

    @Test func plaintextNeverReachesTheSQLiteFiles() async throws {
        try await withTemporaryDirectory { directory in
            let path = directory.appendingPathComponent("coffer.db").path
            let sqlite = try await SQLitePhysical.open(path: path, logger: testLogger)
            let barrier = Barrier(physical: sqlite)
            try await barrier.initialize(sealKey: sealKey)
            let marker = Array("coffer-plaintext-marker-\(UUID().uuidString)".utf8)
            try await barrier.put("logical/kv/data/marker", value: marker)
            try await barrier.transaction([.put(key: "logical/kv/data/marker2", value: marker)])
            #expect(try await barrier.get("logical/kv/data/marker") == marker)

            func fileBytes() throws -> [UInt8] {
                var bytes: [UInt8] = []
                for suffix in ["", "-wal"] where FileManager.default.fileExists(atPath: path + suffix) {
                    bytes += try Array(Data(contentsOf: URL(fileURLWithPath: path + suffix)))
                }
                return bytes
            }
            let whileOpen = try fileBytes()
            // The key path itself is stored in the clear; finding it proves the scan reads the data.
            #expect(whileOpen.containsSubsequence(Array("logical/kv/data/marker".utf8)))
            #expect(!whileOpen.containsSubsequence(marker))

            try await sqlite.close()
            #expect(!(try fileBytes()).containsSubsequence(marker))
        }
    }
}
