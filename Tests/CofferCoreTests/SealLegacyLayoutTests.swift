import CofferFramework
import CofferSQLite
import CofferStorage
import CofferTesting
import Crypto
import Foundation
import Testing

@testable import CofferCore

/// A SQLite database written the way servers did before the two-level seal (the keyring encrypted directly with
/// the static key, no seal records), opened by today's static seal: its data and tokens are all there, it is
/// migrated once, and later starts open it like any other.
@Suite struct SealLegacyLayoutTests {
    /// What `Core.initialize(sealKey:)` did before the seal records existed.
    private static func writeLegacyDatabase(path: String, key: SymmetricKey) async throws -> String {
        let physical = try await SQLitePhysical.open(path: path, logger: .init(label: "test"))
        let core = Core(barrier: Barrier(physical: physical), configuration: CoreConfiguration())
        try await core.barrier.initialize(sealKey: key)
        try await core.persistMountTable(Core.builtinMounts(), kind: .secrets)
        try await core.persistMountTable(Core.builtinAuthMounts(), kind: .credential)
        try await core.setupUnsealed()
        let root = try await core.createRootToken(id: nil)
        let write = await core.handle(
            CoreRequest(operation: .update, path: "cubbyhole/old", data: ["v": "from before"], token: root))
        #expect(write.status == 204)
        await core.seal()
        try await physical.close()
        return root
    }

    private static func open(path: String, key: SymmetricKey) async throws -> (Core, SQLitePhysical) {
        let physical = try await SQLitePhysical.open(path: path, logger: .init(label: "test"))
        var configuration = CoreConfiguration()
        configuration.staticSealKey = key
        return (Core(barrier: Barrier(physical: physical), configuration: configuration), physical)
    }

    @Test func aLegacyDatabaseOpensIsMigratedOnceAndKeepsItsData() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-legacy") { directory in
            let path = directory.appendingPathComponent("coffer.db").path
            let key = SymmetricKey(size: .bits256)
            let root = try await Self.writeLegacyDatabase(path: path, key: key)

            let (first, firstPhysical) = try await Self.open(path: path, key: key)
            // What the server does at start: read the seal records (here: none, beside a keyring).
            #expect(try await first.sealManager.load()?.type == .staticKey)
            #expect(first.sealStatus().initialized && first.sealStatus().sealed)
            let recovery = try #require(try await first.autoUnseal())
            let read = await first.handle(CoreRequest(operation: .read, path: "cubbyhole/old", token: root))
            #expect(read.status == 200 && read.data["v"] == "from before")
            let status = first.sealStatus()
            #expect(status.type == .staticKey && status.recoverySeal && status.threshold == 1 && status.shares == 1)
            try await first.sealManager.verifyKeyShares([recovery])
            await first.seal()
            try await firstPhysical.close()

            // Migrated: the next start has nothing to migrate, and a wrong key still does not open it.
            let (wrong, wrongPhysical) = try await Self.open(path: path, key: SymmetricKey(size: .bits256))
            await #expect(throws: SealError.authenticationFailed) { _ = try await wrong.autoUnseal() }
            try await wrongPhysical.close()
            let (second, secondPhysical) = try await Self.open(path: path, key: key)
            #expect(try await second.autoUnseal() == nil)
            let again = await second.handle(CoreRequest(operation: .read, path: "cubbyhole/old", token: root))
            #expect(again.status == 200 && again.data["v"] == "from before")
            await second.seal()
            try await secondPhysical.close()
        }
    }
}
