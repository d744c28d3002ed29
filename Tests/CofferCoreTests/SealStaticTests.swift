import CofferCore
import CofferFramework
import CofferStorage
import CofferTesting
import Crypto
import Foundation
import Testing

/// The static seal as auto-unseal (recovery keys), storage from before the two-level layout, and concurrent
/// unseal submissions.
@Suite struct SealStaticTests {
    static func staticCore(_ physical: any PhysicalStorage, key: SymmetricKey) -> Core {
        var configuration = CoreConfiguration()
        configuration.staticSealKey = key
        return Core(barrier: Barrier(physical: physical), configuration: configuration)
    }

    @Test func initReturnsRecoveryKeysAndUnseals() async throws {
        let physical = MemoryPhysical()
        let key = SymmetricKey(size: .bits256)
        let core = Self.staticCore(physical, key: key)
        let before = core.sealStatus()
        #expect(before.type == .staticKey && before.recoverySeal && !before.initialized)
        let result = try await core.initializeSeal(SealInitRequest(recoveryShares: 3, recoveryThreshold: 2))
        #expect(result.keys.isEmpty && result.recoveryKeys.count == 3)
        #expect(result.recoveryKeys.allSatisfy { $0.count == 33 })
        let status = core.sealStatus()
        #expect(!status.sealed && status.recoverySeal && status.threshold == 2 && status.shares == 3)
        let read = await core.handle(CoreRequest(operation: .read, path: "sys/mounts", token: result.rootToken))
        #expect(read.status == 200)
        // The recovery shares verify; a wrong set does not.
        try await core.sealManager.verifyKeyShares(Array(result.recoveryKeys.prefix(2)))
        let other = try core.sealManager.newKeyShares(shares: 3, threshold: 2)
        await #expect(throws: SealError.authenticationFailed) {
            try await core.sealManager.verifyKeyShares(Array(other.shares.prefix(2)))
        }
        // A restart unseals itself with the key; a wrong key does not open it.
        let restarted = Self.staticCore(physical, key: key)
        #expect(try await restarted.autoUnseal() == nil)
        #expect(!restarted.isSealed)
        let wrong = Self.staticCore(physical, key: SymmetricKey(size: .bits256))
        await #expect(throws: SealError.authenticationFailed) { _ = try await wrong.autoUnseal() }
        #expect(wrong.isSealed)
    }

    @Test func wrongKindParametersAreRefused() async throws {
        let core = Self.staticCore(MemoryPhysical(), key: SymmetricKey(size: .bits256))
        await #expect(
            throws: LogicalError.badRequest(
                "parameters secret_shares,secret_threshold not applicable to seal type static")
        ) {
            _ = try await core.initializeSeal(SealInitRequest(secretShares: 5, secretThreshold: 3))
        }
        await #expect(throws: LogicalError.badRequest("invalid seal configuration: shares must be at least one")) {
            _ = try await core.initializeSeal(SealInitRequest())
        }
    }

    @Test func afterSysSealTheRecoveryKeysUnsealIt() async throws {
        let core = Self.staticCore(MemoryPhysical(), key: SymmetricKey(size: .bits256))
        let result = try await core.initializeSeal(SealInitRequest(recoveryShares: 2, recoveryThreshold: 2))
        try await core.seal(token: result.rootToken, remoteAddress: nil)
        #expect(core.isSealed)
        let hex = result.recoveryKeys.map { $0.map { String(format: "%02x", $0) }.joined() }
        #expect(try await core.submitUnsealKey(hex[0]).progress == 1)
        #expect(try await core.submitUnsealKey(hex[1]).sealed == false)
    }

    /// A database written before the two-level layout: keyring encrypted directly with the static key, no seal
    /// records. It still opens with its key, is migrated once (a recovery key is returned) and then opens as usual.
    @Test func legacyStaticKeyStorageOpensAndIsMigrated() async throws {
        let physical = MemoryPhysical()
        let key = SymmetricKey(size: .bits256)
        let legacyBarrier = Barrier(physical: physical)
        try await legacyBarrier.initialize(sealKey: key)
        try await legacyBarrier.put("core/legacy-marker", value: Array("kept".utf8))
        legacyBarrier.seal()
        #expect(try await physical.get(SealStoragePaths.configuration) == nil)

        let core = Self.staticCore(physical, key: key)
        #expect(try await core.sealManager.load()?.type == .staticKey)
        let recovery = try #require(try await core.autoUnseal())
        #expect(recovery.count == 32)
        #expect(try await core.barrier.get("core/legacy-marker") == Array("kept".utf8))
        #expect(try await physical.get(SealStoragePaths.configuration) != nil)
        try await core.sealManager.verifyKeyShares([recovery])

        let again = Self.staticCore(physical, key: key)
        #expect(try await again.autoUnseal() == nil)
        #expect(try await again.barrier.get("core/legacy-marker") == Array("kept".utf8))
    }

    @Test func theHarnessAPIStillInitialisesAndReopens() async throws {
        let harness = try await CoreHarness.make()
        await harness.core.seal()
        let reopened = Core(barrier: Barrier(physical: harness.physical), configuration: CoreConfiguration())
        try await reopened.unseal(sealKey: harness.sealKey)
        let read = await reopened.handle(CoreRequest(operation: .read, path: "sys/mounts", token: harness.rootToken))
        #expect(read.status == 200)
    }

    @Test func sysSealWritesAnAuditRequestEntry() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-seal-audit") { directory in
            let harness = try await CoreHarness.make()
            let log = directory.appendingPathComponent("audit.log").path
            let enabled = await harness.request(
                .update, "sys/audit/file", ["type": "file", "options": ["file_path": .string(log)]])
            #expect(enabled.status == 204)
            try await harness.core.seal(token: harness.rootToken, remoteAddress: "127.0.0.1")
            #expect(harness.core.isSealed)
            let text = try String(contentsOfFile: log, encoding: .utf8)
            let sealLines = text.split(separator: "\n").filter { $0.contains("\"sys/seal\"") }
            #expect(sealLines.count == 1)
            #expect(sealLines.first?.contains("\"type\":\"request\"") == true)
            #expect(!text.contains(harness.rootToken))
        }
    }

    @Test func sealRecordsAreNotReachableThroughTheBarrier() async throws {
        let harness = try await CoreHarness.make()
        for path in SealStoragePaths.all {
            await #expect(throws: StorageError.self) { _ = try await harness.core.barrier.get(path) }
            await #expect(throws: StorageError.self) { try await harness.core.barrier.put(path, value: [1]) }
        }
    }

    /// Many tasks submit shares at once: the attempt is serialised, so the core never unseals before three
    /// distinct shares were accepted and never fails for a right set.
    @Test func concurrentSubmissionsNeedThreeDistinctShares() async throws {
        for _ in 0..<5 {
            let core = Core(barrier: Barrier(physical: MemoryPhysical()), configuration: CoreConfiguration())
            let result = try await core.initializeSeal(SealInitRequest(secretShares: 5, secretThreshold: 3))
            let hex = result.keys.map { $0.map { String(format: "%02x", $0) }.joined() }
            // Forty submissions of only two distinct shares: never unsealed.
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<40 { group.addTask { _ = try? await core.submitUnsealKey(hex[index % 2]) } }
            }
            #expect(core.isSealed)
            #expect(core.sealStatus().progress == 2)
            // Now all five at once, many times over: exactly one unseal, no errors.
            let failures = await withTaskGroup(of: Bool.self) { group in
                for index in 0..<50 {
                    group.addTask {
                        do {
                            _ = try await core.submitUnsealKey(hex[index % 5])
                            return false
                        } catch {
                            return true
                        }
                    }
                }
                return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(failures == 0)
            #expect(!core.isSealed)
        }
    }
}
