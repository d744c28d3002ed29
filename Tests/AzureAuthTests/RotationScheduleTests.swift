import AzureSimulator
import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Testing

@testable import AzureAuth

/// Automated root rotation: validation of `rotation_schedule` / `rotation_period` / `rotation_window`, the next
/// rotation time in config read, and a short period that rotates by itself.
@Suite struct RotationScheduleTests {
    static let base: [String: JSONValue] = ["tenant_id": .string(Sim.tenant), "resource": .string(Sim.audience)]

    static func configured() async throws -> AzureHarness {
        let harness = try await AzureHarness.make()
        #expect(await harness.request(.update, "sys/auth/azure", ["type": "azure"]).status == 204)
        #expect(await harness.request(.update, "auth/azure/config", base).status == 204)
        return harness
    }

    @Test func aBadCronExpressionIsRefusedWithTheParserMessage() async throws {
        let harness = try await Self.configured()
        let bad = await harness.request(.update, "auth/azure/config", ["rotation_schedule": "61 * * * *"])
        #expect(bad.status == 400)
        #expect(bad.error.hasPrefix("failed to parse provided rotation_schedule: "))
        #expect(bad.error.contains("minute"))
        let short = await harness.request(.update, "auth/azure/config", ["rotation_schedule": "* * *"])
        #expect(short.status == 400)
        #expect(short.error.contains("expected exactly 5 fields"))
        #expect(await harness.request(.read, "auth/azure/config").data["rotation_schedule"] == "")
    }

    @Test func theReferenceMutualExclusionsHold() async throws {
        let harness = try await Self.configured()
        let both = await harness.request(
            .update, "auth/azure/config", ["rotation_schedule": "0 3 * * *", "rotation_period": "1h"])
        #expect(
            both.error
                == "mutually exclusive fields rotation_schedule and rotation_period were both specified; only one of them can be provided"
        )
        let windowWithPeriod = await harness.request(
            .update, "auth/azure/config", ["rotation_period": "1h", "rotation_window": "10m"])
        #expect(windowWithPeriod.error == "rotation_window does not apply to period")
        let windowAlone = await harness.request(.update, "auth/azure/config", ["rotation_window": "10m"])
        #expect(windowAlone.error == "cannot use rotation_window without rotation_schedule")
    }

    @Test func configReadShowsTheScheduleAndTheNextRotationTime() async throws {
        let harness = try await Self.configured()
        #expect(await harness.request(.read, "auth/azure/config").data["next_rotation_time"] == nil)
        let written = await harness.request(
            .update, "auth/azure/config", ["rotation_schedule": "30 3 * * *", "rotation_window": "1h"])
        #expect(written.status == 204, "\(written.errors ?? [])")
        let read = await harness.request(.read, "auth/azure/config").data
        #expect(read["rotation_schedule"] == "30 3 * * *")
        #expect(read["rotation_window"] == .int(3600))
        let next = try #require(read["next_rotation_time"]?.stringValue)
        #expect(next.hasSuffix("T03:30:00Z"))

        // A period replaces the schedule; the next rotation is one period after the write.
        #expect(await harness.request(.update, "auth/azure/config", ["rotation_period": "2h"]).status == 204)
        let period = await harness.request(.read, "auth/azure/config").data
        #expect(period["rotation_schedule"] == "" && period["rotation_window"] == .int(0))
        #expect(period["rotation_period"] == .int(7200))
        let due = try #require(period["next_rotation_time"]?.stringValue.flatMap(ISO8601DateFormatter().date(from:)))
        #expect(abs(due.timeIntervalSinceNow - 7200) < 30)

        #expect(
            await harness.request(.update, "auth/azure/config", ["disable_automated_rotation": true]).status == 204)
        let disabled = await harness.request(.read, "auth/azure/config").data
        #expect(disabled["disable_automated_rotation"] == true)
        #expect(disabled["next_rotation_time"] == nil)
    }

    @Test func afterDowntimeAMissedRotationHappensOnceThenTheClockRestarts() throws {
        var config = AzureConfig()
        config.rotationPeriod = 3600
        let schedule = try #require(try RotationSchedule(config))
        let now = Date()
        let lastRotation = now.timeIntervalSince1970 - 10 * 86_400
        let due = try #require(schedule.nextRotation(lastRotation: lastRotation, anchor: nil, now: now))
        #expect(due < now)
        let after = try #require(
            schedule.nextRotation(lastRotation: now.timeIntervalSince1970, anchor: nil, now: now))
        #expect(abs(after.timeIntervalSince(now) - 3600) < 1)

        // A schedule whose window closed during the downtime waits for its next fire time.
        config.rotationPeriod = 0
        config.rotationSchedule = "0 3 * * *"
        config.rotationWindow = 600
        let cron = try #require(try RotationSchedule(config))
        let next = try #require(cron.nextRotation(lastRotation: lastRotation, anchor: nil, now: now))
        #expect(next > now)
    }

    @Test func aShortRotationPeriodRotatesByItself() async throws {
        try await withAzureLab(rotation: Rotation.fast) { lab in
            try await lab.role("dev-role", Rotation.devRole)
            try await lab.configure(["rotation_period": "2s"])
            #expect(await lab.request(.read, "auth/azure/config").data["next_rotation_time"] != nil)
            try await Rotation.eventually("an automated rotation adds a password") {
                lab.appPasswords.contains { $0.displayName?.hasPrefix("vault-") == true }
            }
            let first = try #require(lab.appPasswords.first { $0.displayName?.hasPrefix("vault-") == true })
            try await Rotation.eventually("the automated rotation is promoted") {
                await lab.request(.read, "auth/azure/config").data["root_password_expiration_date"] != nil
            }
            #expect(try await lab.vmLogin().status == 200)
            // The next period rotates again and its promotion removes the first rotated secret.
            try await Rotation.eventually("a second automated rotation replaces the first") {
                !lab.appPasswords.contains { $0.keyId == first.keyId }
                    && lab.appPasswords.contains { $0.displayName?.hasPrefix("vault-") == true }
            }
            // The first promotion replaced the hand-entered secret its Graph hint identified.
            #expect(!lab.appPasswords.contains { $0.keyId == lab.originalKeyID })
            #expect(try await lab.vmLogin().status == 200)
            try await lab.configure(["disable_automated_rotation": true])
        }
    }
}
