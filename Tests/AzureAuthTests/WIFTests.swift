import AzureAuth
import AzureKit
import AzureSimulator
import CofferCore
import CofferFramework
import Foundation
import Testing

/// Coffer's own Azure credentials without a secret: plugin workload identity federation (Coffer signs its identity
/// token, the simulated Entra ID verifies it through Coffer's discovery document and keys over loopback) and AKS
/// workload identity (a projected token file).
@Suite struct WIFTests {
    static let audience = "api://AzureADTokenExchange"

    static func accessor(_ lab: AzureLab, mount: String = "azure") async throws -> String {
        let mounts = await lab.request(.read, "sys/auth")
        return try #require(mounts.data["\(mount)/"]?.objectValue?["accessor"]?.stringValue)
    }

    static func federate(_ lab: AzureLab, _ credential: SimulatorFixture.FederatedCredential) throws {
        try lab.simulator.updateFixture { fixture in
            fixture.tenants[0].applications[0].federatedCredentials = [credential]
        }
    }

    /// Drops the mount's cached credential (a config write does), so the next login asks for a new assertion.
    static func dropCachedCredential(_ lab: AzureLab) async throws {
        try await lab.expect(.update, "auth/azure/config", ["identity_token_ttl": "1h"], status: 204)
    }

    @Test func aVMLoginWorksWithOnlyCoffersPluginIdentityToken() async throws {
        let config: [String: JSONValue] = ["client_secret": "", "identity_token_audience": .string(Self.audience)]
        try await withAzureLab(config: config) { lab in
            let server = try WIFIssuerServer(core: lab.core)
            defer { server.stop() }
            let issuerBase = "http://127.0.0.1:\(server.port)"
            try await lab.expect(.update, "identity/oidc/config", ["issuer": .string(issuerBase)], status: 204)
            let issuer = issuerBase + "/v1/identity/oidc/plugins"
            let subject = "plugin-identity:root:auth:\(try await Self.accessor(lab))"
            try Self.federate(lab, .init(name: "coffer", issuer: issuer, subject: subject, audiences: [Self.audience]))

            let read = await lab.request(.read, "auth/azure/config").data
            #expect(read["identity_token_audience"] == .string(Self.audience))
            #expect(read["identity_token_ttl"] == .int(3600))
            #expect(read["client_id"] == .string(Sim.appID))

            try await lab.role("dev-role", Rotation.devRole)
            let login = try await lab.vmLogin()
            #expect(login.status == 200, "\(login.errors ?? [])")
            // The simulated Entra ID issued Coffer's ARM token after verifying the assertion with Coffer's keys,
            // which it found through Coffer's discovery document.
            #expect(
                server.paths == [
                    "/v1/identity/oidc/plugins/.well-known/openid-configuration",
                    "/v1/identity/oidc/plugins/.well-known/keys",
                ])
            let tokenRequests = lab.simulator.requestLog().filter { $0.path.hasSuffix("/oauth2/v2.0/token") }
            #expect(tokenRequests.count == 1 && tokenRequests.first?.status == 200)
            #expect(
                lab.simulator.requestLog().contains { $0.path.contains("/virtualMachines/vm-web") && $0.status == 200 })

            // Each claim of the assertion is checked: a federated credential expecting anything else refuses it,
            // and Entra's answer names what Coffer presented.
            try Self.federate(
                lab, .init(issuer: issuer, subject: "plugin-identity:root:auth:other", audiences: [Self.audience]))
            try await Self.dropCachedCredential(lab)
            let wrongSubject = try await lab.vmLogin()
            #expect(wrongSubject.status == 502)
            #expect(wrongSubject.error.contains("token endpoint"))
            #expect(wrongSubject.error.contains("presented assertion subject '\(subject)'"))

            try Self.federate(lab, .init(issuer: issuer, subject: subject, audiences: ["api://somewhere-else"]))
            try await Self.dropCachedCredential(lab)
            let wrongAudience = try await lab.vmLogin()
            #expect(wrongAudience.status == 502)
            #expect(wrongAudience.error.contains("presented assertion audience '\(Self.audience)'"))

            try Self.federate(
                lab, .init(issuer: issuerBase + "/elsewhere", subject: subject, audiences: [Self.audience]))
            try await Self.dropCachedCredential(lab)
            let wrongIssuer = try await lab.vmLogin()
            #expect(wrongIssuer.status == 502)
            #expect(wrongIssuer.error.contains("presented assertion issuer '\(issuer)'"))

            // Keys that did not sign the assertion: the signature check fails.
            try Self.federate(
                lab, .init(issuer: issuer, subject: subject, audiences: [Self.audience], jwks: lab.simulator.jwks()))
            try await Self.dropCachedCredential(lab)
            let wrongKeys = try await lab.vmLogin()
            #expect(wrongKeys.status == 502)
            #expect(wrongKeys.error.contains("signature validation"))
        }
    }

    @Test func aClientSecretAndAnAudienceCannotBothBeSet() async throws {
        try await withAzureLab { lab in
            let both = await lab.request(
                .update, "auth/azure/config", ["identity_token_audience": .string(Self.audience)])
            #expect(both.status == 400)
            #expect(both.error == "only one of 'client_secret' or 'identity_token_audience' can be set")
            #expect(await lab.request(.read, "auth/azure/config").data["identity_token_audience"] == "")
            let badTTL = await lab.request(.update, "auth/azure/config", ["identity_token_ttl": -5])
            #expect(badTTL.status == 400)
            try await lab.expect(
                .update, "auth/azure/config", ["client_secret": "", "identity_token_audience": .string(Self.audience)],
                status: 204)
            // Without a secret there is nothing to rotate automatically.
            let rotation = await lab.request(.update, "auth/azure/config", ["rotation_period": "24h"])
            #expect(rotation.status == 400)
            #expect(rotation.error.contains("does not apply with identity_token_audience"))
        }
    }

    @Test func coffersOwnAKSWorkloadIdentityComesFromTheProjectedTokenFile() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tokenFile = directory.appendingPathComponent("token")
        let aksIssuer = "https://westeurope.oic.prod-aks.azure.com/\(Sim.tenant)/cluster/"
        let serviceAccount = "system:serviceaccount:vault:coffer"
        let environment = ["AZURE_FEDERATED_TOKEN_FILE": tokenFile.path]
        try await withAzureLab(config: ["client_secret": ""], extraEnvironment: environment) { lab in
            func projectToken(subject: String) throws {
                let now = Int64(Date().timeIntervalSince1970)
                let token = try lab.simulator.issueToken(claims: [
                    "iss": .string(aksIssuer), "sub": .string(subject), "aud": .array([.string(Self.audience)]),
                    "iat": .int(now), "nbf": .int(now), "exp": .int(now + 3600),
                ])
                try Data((token + "\n").utf8).write(to: tokenFile)
            }
            try Self.federate(
                lab,
                .init(
                    issuer: aksIssuer, subject: serviceAccount, audiences: [Self.audience], jwks: lab.simulator.jwks()))
            try projectToken(subject: serviceAccount)
            try await lab.role("dev-role", Rotation.devRole)
            let login = try await lab.vmLogin()
            #expect(login.status == 200, "\(login.errors ?? [])")

            // The kubelet replaced the token: the file is read again for the next token request.
            try projectToken(subject: "system:serviceaccount:vault:intruder")
            try await Self.dropCachedCredential(lab)
            let refused = try await lab.vmLogin()
            #expect(refused.status == 502)
            #expect(refused.error.contains("system:serviceaccount:vault:intruder"))
        }
    }
}
