import AzureAuth
import AzureKit
import AzureSimulator
import CofferCore
import CofferFramework
import CofferStorage
import CofferTesting
import Crypto
import Foundation
import Logging
import Testing

/// `rotate-root` against the simulator: a new `vault-<uuid>` password, logins through the switch, promotion that
/// removes only the secret Coffer knew, and rollback of a rotation interrupted between Azure and storage.
///
/// A hand-entered secret whose Graph hint identifies it is replaced at the first promotion (`RotationHintTests`);
/// most tests here run with such a secret, so their first rotation answers 204.
@Suite struct RotationRootTests {
    /// Another team's password whose hint (`sim`) collides with the configured secret's, so Coffer cannot tell which
    /// of the two is its own and must leave both.
    static let otherPassword = SimulatorFixture.PasswordCredential(
        keyId: "0c0c0c0c-1111-4222-8333-444455556666", secretText: "sim8Q~AnotherTeamsSecretThatMustSurvive",
        displayName: "someone else's secret", endDateTime: "2099-01-01T00:00:00Z")

    @Test func rotateRootPromotesTheNewSecretAndRemovesOnlyTheOneCofferKnew() async throws {
        try await withAzureLab(rotation: Rotation.fast) { lab in
            try lab.simulator.updateFixture { fixture in
                fixture.tenants[0].applications[0].passwordCredentials.append(Self.otherPassword)
            }
            try await lab.role("dev-role", Rotation.devRole)
            try #require(try await lab.vmLogin().status == 200)

            // First rotation: the configured secret was not created by Coffer and its hint is ambiguous, so it is kept
            // (with a warning).
            let first = try await lab.expect(.update, "auth/azure/rotate-root", status: 200)
            #expect(first.warnings.contains { $0.contains("not created by Coffer") })
            let added = try #require(lab.appPasswords.first { $0.displayName?.hasPrefix("vault-") == true })
            #expect(lab.appPasswords.count == 3)
            #expect(!first.text.contains(added.secretText))
            #expect(try await lab.vmLogin().status == 200)
            try await Rotation.eventually("first promotion") {
                await lab.request(.read, "auth/azure/config").data["root_password_expiration_date"] != nil
            }
            #expect(try await lab.vmLogin().status == 200)
            let expiry = await lab.request(.read, "auth/azure/config").data["root_password_expiration_date"]
            #expect(expiry?.stringValue == added.endDateTime)

            // Second rotation: promotion removes the first rotated secret, and nothing else.
            lab.simulator.resetLog()
            try await lab.expect(.update, "auth/azure/rotate-root", status: 204)
            #expect(lab.simulator.requestCount(pathContains: "/addPassword", method: "POST") == 1)
            let second = try #require(
                lab.appPasswords.first { $0.displayName?.hasPrefix("vault-") == true && $0.keyId != added.keyId })
            #expect(try await lab.vmLogin().status == 200)
            try await Rotation.eventually("second promotion removes the first rotated secret") {
                !lab.appPasswords.contains { $0.keyId == added.keyId }
            }
            #expect(try await lab.vmLogin().status == 200)
            #expect(try await lab.secretWorks(added.secretText) == false)
            #expect(try await lab.secretWorks(second.secretText))
            #expect(try await lab.secretWorks(Self.otherPassword.secretText))
            #expect(try await lab.secretWorks(Sim.secret))
            #expect(Set(lab.appPasswords.map(\.keyId)) == [second.keyId, Self.otherPassword.keyId, lab.originalKeyID])
            let config = await lab.request(.read, "auth/azure/config")
            #expect(!config.text.contains(second.secretText) && !config.text.contains(added.secretText))
            #expect(config.data["client_secret"] == nil)
        }
    }

    @Test func writingANewSecretAbandonsAPendingRotationAndRemovesItsPassword() async throws {
        let slow = AzureRotationKnobs(propagation: 600, tick: 0.2)
        try await withAzureLab(rotation: slow) { lab in
            try await lab.expect(.update, "auth/azure/rotate-root", status: 204)
            #expect(lab.appPasswords.count == 2)
            let again = await lab.request(.update, "auth/azure/rotate-root")
            #expect(again.status == 400)
            #expect(again.error.contains("waiting for promotion"))
            // The operator replaces the secret by hand: the unused rotated password must not linger in Azure.
            try await lab.configure([:])
            try await Rotation.eventually("the abandoned password is removed") {
                lab.appPasswords.map(\.keyId) == [lab.originalKeyID]
            }
            #expect(await lab.request(.read, "auth/azure/config").data["root_password_expiration_date"] == nil)
            #expect(await lab.request(.update, "auth/azure/rotate-root").status == 204)
        }
    }

    @Test func aGraphFailureIsABadGatewayAndLeavesNoPassword() async throws {
        try await withAzureLab(rotation: Rotation.fast) { lab in
            lab.simulator.injectFault(pathContains: "/addPassword", status: 503)
            let failed = await lab.request(.update, "auth/azure/rotate-root")
            #expect(failed.status == 502, "\(failed.errors ?? [])")
            #expect(failed.error.contains("Graph addPassword"))
            #expect(lab.appPasswords.map(\.keyId) == [lab.originalKeyID])
            // The failure left nothing pending: the next rotation goes through.
            #expect(await lab.request(.update, "auth/azure/rotate-root").status == 204)
            #expect(lab.appPasswords.count == 2)
        }
    }

    /// Graph that knows no application, as when `client_id` names an app in another tenant.
    struct NoApplicationGraph: AzureGraphManaging {
        func findApplication(appID: String) async throws -> GraphApplication {
            throw AzureError.configuration("no application found")
        }
        func addPassword(objectID: String, displayName: String, endDateTime: Date) async throws
            -> GraphPasswordCredential
        {
            Issue.record("addPassword must not be called without an application")
            throw AzureError.configuration("unexpected")
        }
        func removePassword(objectID: String, keyID: String) async throws {}
        func passwordCredentials(objectID: String) async throws -> [GraphPasswordCredential] { [] }
    }

    struct NoApplicationFactory: AzureServicesFactory {
        func makeServices(_ settings: AzureSettings) throws -> AzureServices { throw OfflineServices.ContactedAzure() }
        func makeGraph(_ settings: AzureSettings, pluginIdentityToken: PluginIdentityTokenSource?) throws
            -> any AzureGraphManaging
        {
            NoApplicationGraph()
        }
        func shutdown() async {}
    }

    @Test func rotateRootRefusalsAreBadRequests() async throws {
        let harness = try await AzureHarness.make(services: { NoApplicationFactory() })
        #expect(await harness.request(.update, "sys/auth/azure", ["type": "azure"]).status == 204)
        let missing = await harness.request(.update, "auth/azure/rotate-root")
        #expect(missing.status == 400 && missing.error == "config is nil")
        let config: [String: JSONValue] = [
            "tenant_id": .string(Sim.tenant), "resource": .string(Sim.audience), "client_id": .string(Sim.appID),
            "client_secret": "s3cret",
        ]
        #expect(await harness.request(.update, "auth/azure/config", config).status == 204)
        let noApp = await harness.request(.update, "auth/azure/rotate-root")
        #expect(noApp.status == 400)
        #expect(noApp.error == "no application found")

        #expect(
            await harness.request(
                .update, "auth/azure/config",
                ["client_secret": "", "identity_token_audience": "api://AzureADTokenExchange"]
            ).status == 204)
        let wif = await harness.request(.update, "auth/azure/rotate-root")
        #expect(wif.status == 400)
        #expect(wif.error.contains("workload identity federation"))
    }

    /// The server's environment holds no test hooks: the variables that once compressed rotation timing or halted a
    /// rotation change nothing when set on a real host.
    @Test func rotationTestVariablesInTheEnvironmentChangeNothing() async throws {
        let stray = [
            "COFFER_AZURE_TEST_HALT_ROTATION_AFTER_PASSWORD_ADDED": "1",
            "COFFER_AZURE_ROTATION_PROPAGATION_SECONDS": "0",
            "COFFER_AZURE_ROTATION_TICK_SECONDS": "0.05",
        ]
        try await withAzureLab(extraEnvironment: stray) { lab in
            let rotated = await lab.request(.update, "auth/azure/rotate-root")
            #expect(rotated.status == 204, "\(rotated.errors ?? [])")
            #expect(lab.appPasswords.count == 2)
            // Production timing: the new secret waits a minute for propagation, so nothing is promoted yet.
            try await Task.sleep(for: .milliseconds(500))
            #expect(await lab.request(.read, "auth/azure/config").data["root_password_expiration_date"] == nil)
            #expect(lab.appPasswords.count == 2)
        }
    }

    @Test func aRotationInterruptedAfterAddingThePasswordIsRolledBackAtTheNextStart() async throws {
        let simulator = try await AzureSimulator.make(fixture: try Sim.fixture)
        try await simulator.start()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("rotation-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let file = directory.appendingPathComponent("environment.json")
        try Data(simulator.environment.serialized()).write(to: file)
        let environment = ["AZURE_ENVIRONMENT_FILEPATH": file.path]
        let physical = MemoryPhysical()
        let sealKey = SymmetricKey(size: .bits256)
        func core(_ rotation: AzureRotationKnobs) -> Core {
            var configuration = CoreConfiguration()
            // Each server has its own HTTP clients: sealing one shuts its clients down.
            configuration.catalog = [
                AzureAuthMethod.factory(environment: environment, logger: Logger(label: "rotation"), rotation: rotation)
                {
                    AzureKitServicesFactory(
                        environment: environment, logger: Logger(label: "rotation"), version: "test")
                }
            ]
            return Core(barrier: Barrier(physical: physical), configuration: configuration)
        }
        func send(
            _ core: Core, _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:],
            token: String
        ) async -> CoreResponse {
            await core.handle(
                CoreRequest(id: UUID().uuidString, operation: operation, path: path, data: data, token: token))
        }
        defer { try? FileManager.default.removeItem(at: directory) }

        // The first server dies (injected fault) after the password exists in Azure and the write-ahead record is
        // stored, before the rotated secret is saved.
        let crashing = core(AzureRotationKnobs(propagation: 1, tick: 0.2, haltAfterPasswordAdded: true))
        let root = try await crashing.initialize(sealKey: sealKey)
        #expect(await send(crashing, .update, "sys/auth/azure", ["type": "azure"], token: root).status == 204)
        let config: [String: JSONValue] = [
            "tenant_id": .string(Sim.tenant), "resource": .string(Sim.audience), "environment": "AzureStackCloud",
            "client_id": .string(Sim.appID), "client_secret": .string(Sim.secret),
        ]
        #expect(await send(crashing, .update, "auth/azure/config", config, token: root).status == 204)
        let halted = await send(crashing, .update, "auth/azure/rotate-root", token: root)
        #expect(halted.status == 500)
        #expect(Rotation.passwords(simulator).count == 2)
        // The dying server's own background passes leave its in-flight record alone.
        try await Task.sleep(for: .milliseconds(600))
        #expect(Rotation.passwords(simulator).count == 2)
        await crashing.seal()

        // A new server on the same storage rolls the record back: the orphaned password leaves Azure.
        let restarted = core(Rotation.fast)
        try await restarted.unseal(sealKey: sealKey)
        try await Rotation.eventually("rollback removes the orphaned password") {
            Rotation.passwords(simulator).map(\.secretText) == [Sim.secret]
        }
        #expect(
            await send(restarted, .read, "auth/azure/config", token: root).data["root_password_expiration_date"] == nil)
        // Nothing is left pending: a new rotation is accepted at once.
        let again = await send(restarted, .update, "auth/azure/rotate-root", token: root)
        #expect(again.status == 204, "\(again.errors ?? [])")
        #expect(Rotation.passwords(simulator).count == 2)
        await restarted.seal()
        await simulator.stop()
    }
}

extension AzureLab {
    /// The key id of the fixture app's original secret.
    var originalKeyID: String { "d4b2f7e1-3a9c-4e6d-8b1f-5c7a2e0d9b38" }
}
