import AzureAuth
import AzureSimulator
import CofferCore
import CofferFramework
import Foundation
import Testing

/// A rotation's write-ahead entry that outlived its rotation (a crash after the rotation was recorded, before the
/// entry was deleted) is rolled back by a periodic pass; by then a promotion may have put its password in use, and the
/// rollback must leave that password in Azure.
@Suite struct RotationStaleWALTests {
    @Test func rollingBackAStaleEntryKeepsThePasswordTheConfigUses() async throws {
        try await withAzureLab(rotation: Rotation.fast) { lab in
            try await lab.role("dev-role", Rotation.devRole)
            try await lab.expect(.update, "auth/azure/rotate-root", status: 204)
            try await Rotation.eventually("promotion") {
                await lab.request(.read, "auth/azure/config").data["root_password_expiration_date"] != nil
            }
            let promoted = try #require(lab.appPasswords.first { $0.displayName?.hasPrefix("vault-") == true })
            let objectID = lab.simulator.fixture.tenants[0].applications[0].objectId
            let mounts = await lab.request(.read, "sys/auth").data
            let uuid = try #require(mounts["azure/"]?.objectValue?["uuid"]?.stringValue)
            let entry: JSONValue = [
                "kind": "root-password", "created_at": 0,
                "data": ["display_name": .string(promoted.displayName ?? ""), "object_id": .string(objectID)],
            ]
            let key = "auth/\(uuid)/wal/stale-1"
            try await lab.core.barrier.put(key, value: entry.serialized())
            try await Rotation.eventually("the stale entry is rolled back") {
                try await lab.core.barrier.get(key) == nil
            }
            #expect(lab.appPasswords.contains { $0.keyId == promoted.keyId })
            #expect(try await lab.secretWorks(promoted.secretText))
            #expect(try await lab.vmLogin().status == 200)
        }
    }
}
