import AzureSimulator
import Foundation
import Testing

@testable import AzureKit

@Suite struct GraphAndCloudTests {
    @Test func managesApplicationPasswords() async throws {
        try await withSimulator { sim in
            let graph = try GraphClient(
                cloud: sim.cloud, credential: CachingCredential(sim.secretCredential()), http: sim.http)
            let app = try await graph.findApplication(appID: Estate.appID)
            #expect(app.objectID == Estate.appObjectID && app.appID == Estate.appID)
            #expect(app.passwordCredentials.map(\.keyID) == ["dddddddd-0000-0000-0000-000000000001"])
            // Graph lists each password's hint, its first three characters.
            #expect(app.passwordCredentials.map(\.hint) == [String(Estate.secret.prefix(3))])
            let filter = try #require(sim.simulator.requestLog().last)
            #expect(
                filter.path == "/graph/v1.0/applications" && filter.query["$filter"] == "appId eq '\(Estate.appID)'")

            let expiry = Date().addingTimeInterval(86_400 * 30)
            let created = try await graph.addPassword(
                objectID: app.objectID, displayName: "coffer-test", endDateTime: expiry)
            let secret = try #require(created.secretText)
            #expect(created.displayName == "coffer-test")
            #expect(created.hint == String(secret.prefix(3)))
            #expect(!"\(created)".contains(secret))
            // The new secret works at the token endpoint at once.
            _ = try await sim.secretCredential(secret: secret).token(scope: sim.cloud.armScope)
            #expect(try await graph.passwordCredentials(objectID: app.objectID).map(\.keyID).contains(created.keyID))

            try await graph.removePassword(objectID: app.objectID, keyID: created.keyID)
            #expect(try await !graph.passwordCredentials(objectID: app.objectID).map(\.keyID).contains(created.keyID))
            #expect(try await graph.findApplication(appID: Estate.appID).passwordCredentials.count == 1)
        }
    }

    @Test func unknownApplicationsAreAConfigurationError() async throws {
        try await withSimulator { sim in
            let graph = try GraphClient(
                cloud: sim.cloud, credential: CachingCredential(sim.secretCredential()), http: sim.http)
            await #expect(throws: AzureError.configuration("no application found")) {
                try await graph.findApplication(appID: "00000000-0000-0000-0000-00000000dead")
            }
            await #expect(throws: AzureError.self) {
                try await graph.passwordCredentials(objectID: "00000000-0000-0000-0000-00000000dead")
            }
        }
    }

    @Test func stackCloudFromTheSimulatorsEnvironmentFile() async throws {
        try await withSimulator { sim in
            let file = try TemporaryFile(String(decoding: sim.simulator.environment.serialized(), as: UTF8.self))
            let environment = [
                "AZURE_ENVIRONMENT_FILEPATH": file.path, "AZURE_TENANT_ID": Estate.tenant,
                "AZURE_CLIENT_ID": Estate.appID, "AZURE_CLIENT_SECRET": Estate.secret,
            ]
            let settings = try AzureSettings.resolve(
                resource: AzureSimulator.armTokenAudience, environmentName: "AzureStackCloud", environment: environment)
            #expect(settings.cloud.resourceManagerEndpoint == sim.base)
            #expect(settings.cloud.armScope == "https://management.azure.com/.default")
            let credential = try AzureCredentials.make(settings: settings, environment: environment, http: sim.http)
            let arm = ARMClient(cloud: settings.cloud, credential: credential, http: sim.http, retry: settings.retry)
            let vm = try await arm.virtualMachine(
                subscription: Estate.subscription, resourceGroup: "rg-vm", name: "vm1")
            #expect(vm.identity?.principalID == Estate.vmPrincipal)
            // Endpoints ending in `/` are joined without `//`.
            #expect(sim.simulator.requestLog().allSatisfy { !$0.path.contains("//") })
            let verifier = AzureTokenVerifier(settings: settings, http: sim.http)
            #expect(
                try await verifier.verify(try sim.simulator.managedIdentityToken(vm: "vm1")).objectID
                    == Estate.vmPrincipal)
        }
    }
}
