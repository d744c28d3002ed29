import AzureAuth
import AzureSimulator
import CofferCore
import CofferFramework
import Foundation
import Testing

/// Upgrades: a write-ahead record an earlier version left under `rotation/wal/` is an orphan (no rotation of this
/// version owns it); the periodic pass removes its password from Azure and drops the record.
@Suite struct RotationLegacyRecordTests {
    @Test func anEarlierVersionsWriteAheadRecordIsRolledBack() async throws {
        try await withAzureLab(rotation: Rotation.fast) { lab in
            let orphan = SimulatorFixture.PasswordCredential(
                keyId: "0f0f0f0f-1111-4222-8333-444455556666", secretText: "orp8Q~APasswordAnOldCrashLeftBehind",
                displayName: "vault-5e1d6c2a-0b7f-4f3e-9a8d-2c4b6e8f0a1b", endDateTime: "2099-01-01T00:00:00Z")
            try lab.simulator.updateFixture { $0.tenants[0].applications[0].passwordCredentials.append(orphan) }
            let objectID = lab.simulator.fixture.tenants[0].applications[0].objectId
            let mounts = await lab.request(.read, "sys/auth").data
            let uuid = try #require(mounts["azure/"]?.objectValue?["uuid"]?.stringValue)
            let record: JSONValue = [
                "id": "legacy-1", "displayName": .string(orphan.displayName ?? ""), "objectID": .string(objectID),
                "created": 1_700_000_000,
            ]
            let key = "auth/\(uuid)/rotation/wal/legacy-1"
            try await lab.core.barrier.put(key, value: record.serialized())
            try await Rotation.eventually("the orphaned password leaves Azure") {
                !lab.appPasswords.contains { $0.keyId == orphan.keyId }
            }
            try await Rotation.eventually("the legacy record is gone") {
                try await lab.core.barrier.get(key) == nil
            }
            #expect(lab.appPasswords.map(\.keyId) == [lab.originalKeyID])
        }
    }
}
