import AzureAuth
import AzureKit
import AzureSimulator
import CofferCore
import CofferFramework
import Foundation
import Testing

/// The first `rotate-root` after a hand-entered secret: Graph lists each password with a `hint` (its first three
/// characters); when exactly one matches the configured secret, promotion replaces and removes that one without a
/// warning. Ambiguous or absent hints keep the secret and warn.
@Suite struct RotationHintTests {
    /// Another team's password on the same app; its hint (`oth`) differs from the configured secret's (`sim`).
    static let otherTeam = SimulatorFixture.PasswordCredential(
        keyId: "0d0d0d0d-1111-4222-8333-444455556666", secretText: "oth8Q~AnotherTeamsSecretThatMustSurvive",
        displayName: "someone else's secret", endDateTime: "2099-01-01T00:00:00Z")
    /// A password whose hint collides with the configured secret's.
    static let sameHint = SimulatorFixture.PasswordCredential(
        keyId: "0e0e0e0e-1111-4222-8333-444455556666", secretText: "sim8Q~ADifferentSecretWithTheSameHint",
        displayName: "same hint", endDateTime: "2099-01-01T00:00:00Z")

    static let warning = "the current client secret was not created by Coffer"

    @Test func aUniqueHintIdentifiesTheHandEnteredSecretWhichPromotionRemoves() async throws {
        try await withAzureLab(rotation: Rotation.fast) { lab in
            try lab.simulator.updateFixture { $0.tenants[0].applications[0].passwordCredentials.append(Self.otherTeam) }
            try await lab.role("dev-role", Rotation.devRole)
            let rotated = try await lab.expect(.update, "auth/azure/rotate-root", status: 204)
            #expect(rotated.text.isEmpty)
            let added = try #require(lab.appPasswords.first { $0.displayName?.hasPrefix("vault-") == true })
            #expect(lab.appPasswords.count == 3)
            try await Rotation.eventually("promotion removes the hand-entered secret") {
                !lab.appPasswords.contains { $0.keyId == lab.originalKeyID }
            }
            #expect(Set(lab.appPasswords.map(\.keyId)) == [added.keyId, Self.otherTeam.keyId])
            #expect(try await lab.secretWorks(Sim.secret) == false)
            #expect(try await lab.secretWorks(added.secretText))
            #expect(try await lab.vmLogin().status == 200)
            let config = await lab.request(.read, "auth/azure/config").data
            #expect(config["root_password_expiration_date"]?.stringValue == added.endDateTime)
        }
    }

    @Test func anAmbiguousHintKeepsTheSecretAndWarns() async throws {
        try await withAzureLab(rotation: Rotation.fast) { lab in
            try lab.simulator.updateFixture { $0.tenants[0].applications[0].passwordCredentials.append(Self.sameHint) }
            let rotated = try await lab.expect(.update, "auth/azure/rotate-root", status: 200)
            #expect(rotated.warnings.contains { $0.contains(Self.warning) })
            try await Rotation.eventually("promotion") {
                await lab.request(.read, "auth/azure/config").data["root_password_expiration_date"] != nil
            }
            #expect(lab.appPasswords.contains { $0.keyId == lab.originalKeyID })
            #expect(lab.appPasswords.contains { $0.keyId == Self.sameHint.keyId })
            #expect(lab.appPasswords.count == 3)
            #expect(try await lab.secretWorks(Sim.secret))
        }
    }

    @Test func withoutHintsTheSecretIsKeptWithAWarning() async throws {
        try await withAzureLab(rotation: Rotation.fast) { lab in
            try lab.simulator.updateFixture { fixture in
                fixture.tenants[0].applications[0].passwordCredentials[0].hint = ""
            }
            let rotated = try await lab.expect(.update, "auth/azure/rotate-root", status: 200)
            #expect(rotated.warnings.contains { $0.contains(Self.warning) })
            try await Rotation.eventually("promotion") {
                await lab.request(.read, "auth/azure/config").data["root_password_expiration_date"] != nil
            }
            #expect(lab.appPasswords.contains { $0.keyId == lab.originalKeyID })
            #expect(lab.appPasswords.count == 2)
            #expect(try await lab.secretWorks(Sim.secret))
        }
    }
}
