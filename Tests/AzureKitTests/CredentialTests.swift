import AzureSimulator
import Foundation
import Synchronization
import Testing

@testable import AzureKit

/// Credentials against the simulator's token endpoint, IMDS and App Service identity endpoint.
@Suite struct CredentialTests {
    /// The `aud` of tokens requested for `https://management.azure.com/.default`.
    let armResource = "https://management.azure.com"

    @Test func clientSecretTokenWorksAgainstARM() async throws {
        try await withSimulator { sim in
            let token = try await sim.secretCredential().token(scope: sim.cloud.armScope)
            #expect(token.expiresOn > Date().addingTimeInterval(3000))
            let claims = try await sim.verifier(resource: armResource).verify(token.token)
            #expect(claims.appID == Estate.appID && claims.objectID == Estate.appPrincipalID)
            #expect(!"\(token)".contains(token.token))
        }
    }

    @Test func tokenEndpointFailuresAreUpstreamWithoutTheSecret() async throws {
        try await withSimulator { sim in
            let wrong = "wrong-secret-value-42"
            do {
                _ = try await sim.secretCredential(secret: wrong).token(scope: sim.cloud.armScope)
                Issue.record("a wrong secret got a token")
            } catch let error as AzureError {
                guard case .upstream(let call, let status, let detail) = error else {
                    Issue.record("expected upstream, got \(error)")
                    return
                }
                #expect(call == "token endpoint" && status == 401)
                #expect(detail.contains("invalid_client") && detail.contains("AADSTS7000215"))
                #expect(!error.description.contains(wrong))
            }
        }
    }

    @Test func managedIdentityFromIMDS() async throws {
        try await withSimulator { sim in
            let environment = ["AZURE_POD_IDENTITY_AUTHORITY_HOST": String(sim.base.dropLast())]
            let credential = ManagedIdentityCredential(environment: environment, http: sim.http)
            #expect(credential.source == .imds(endpoint: sim.base + "metadata/identity/oauth2/token"))
            let token = try await credential.token(scope: sim.cloud.armScope)
            #expect(token.expiresOn > Date().addingTimeInterval(80_000))
            let claims = try await sim.verifier(resource: armResource).verify(token.token)
            #expect(claims.objectID == Estate.vmPrincipal)
            let request = try #require(sim.simulator.requestLog().first)
            #expect(request.path == "/metadata/identity/oauth2/token")
            #expect(request.query["api-version"] == "2018-02-01")
            #expect(request.query["resource"] == "https://management.azure.com")
            // The credential works for ARM as the server's own identity.
            let vm = try await sim.arm(credential: CachingCredential(credential))
                .virtualMachine(subscription: Estate.subscription, resourceGroup: "rg-vm", name: "vm1")
            #expect(vm.name == "vm1")
        }
    }

    @Test func managedIdentityFromAppService() async throws {
        try await withSimulator { sim in
            let environment = [
                "IDENTITY_ENDPOINT": sim.base + "msi/token", "IDENTITY_HEADER": sim.simulator.appServiceIdentityHeader,
                "AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:1",
            ]
            let credential = ManagedIdentityCredential(environment: environment, http: sim.http)
            let token = try await credential.token(scope: sim.cloud.armScope)
            #expect(try await sim.verifier(resource: armResource).verify(token.token).objectID == Estate.sitePrincipal)
            let request = try #require(sim.simulator.requestLog().first)
            #expect(request.path == "/msi/token" && request.query["api-version"] == "2019-08-01")

            let wrongHeader = ManagedIdentityCredential(
                source: .appService(endpoint: sim.base + "msi/token", header: "nope"), http: sim.http)
            do {
                _ = try await wrongHeader.token(scope: sim.cloud.armScope)
                Issue.record("a wrong identity header got a token")
            } catch let error as AzureError {
                guard case .upstream("managed identity token endpoint", 401, _) = error else {
                    Issue.record("expected upstream 401, got \(error)")
                    return
                }
            }
        }
    }

    @Test func managedIdentitySourceDefaultsToIMDS() {
        #expect(
            ManagedIdentityCredential.source(environment: [:])
                == .imds(endpoint: "http://169.254.169.254/metadata/identity/oauth2/token"))
        #expect(
            ManagedIdentityCredential.source(environment: ["IDENTITY_ENDPOINT": "http://localhost:4141/msi/token"])
                == .imds(endpoint: "http://169.254.169.254/metadata/identity/oauth2/token"))
    }

    @Test func cachingCredentialCoalescesAndRefreshesNearExpiry() async throws {
        try await withSimulator { sim in
            let cached = CachingCredential(sim.secretCredential())
            try await withThrowingTaskGroup(of: AccessToken.self) { group in
                for _ in 0..<10 { group.addTask { try await cached.token(scope: sim.cloud.armScope) } }
                var tokens = Set<String>()
                for try await token in group { tokens.insert(token.token) }
                #expect(tokens.count == 1)
            }
            #expect(sim.count("/oauth2/v2.0/token") == 1)
            _ = try await cached.token(scope: sim.cloud.graphScope)
            #expect(sim.count("/oauth2/v2.0/token") == 2)

            // Seen from 3400 s in the future, a 3599 s token is inside the 5-minute margin: refetched every time.
            let late = CachingCredential(sim.secretCredential(), now: { Date().addingTimeInterval(3400) })
            _ = try await late.token(scope: sim.cloud.armScope)
            _ = try await late.token(scope: sim.cloud.armScope)
            #expect(sim.count("/oauth2/v2.0/token") == 4)
        }
    }

    @Test func workloadIdentityRereadsTheTokenFileOnEveryRequest() async throws {
        try await withSimulator { sim in
            let issuer = sim.base + "oidc-issuer"
            let keys = sim.simulator.jwks()
            try sim.simulator.updateFixture { fixture in
                fixture.tenants[0].applications[0].federatedCredentials = [
                    .init(
                        name: "k8s", issuer: issuer, subject: "system:serviceaccount:default:workload",
                        audiences: ["api://AzureADTokenExchange"], jwks: keys)
                ]
            }
            func assertion(subject: String) throws -> String {
                var claims = sim.simulator.standardClaims(tenant: Estate.tenant, audience: "api://AzureADTokenExchange")
                claims["iss"] = .string(issuer)
                claims["sub"] = .string(subject)
                return try sim.simulator.issueToken(claims: claims)
            }
            let file = try TemporaryFile(try assertion(subject: "system:serviceaccount:default:workload"))
            let settings = AzureSettings(
                tenantID: Estate.tenant, resource: "r", clientID: Estate.appID, cloud: sim.cloud)
            let credential = try AzureCredentials.make(
                settings: settings, environment: ["AZURE_FEDERATED_TOKEN_FILE": file.path], http: sim.http)
            #expect(credential.base is ClientAssertionCredential)
            let token = try await credential.base.token(scope: sim.cloud.armScope)
            #expect(try await sim.verifier(resource: armResource).verify(token.token).appID == Estate.appID)

            try file.write(try assertion(subject: "system:serviceaccount:default:other"))
            do {
                _ = try await credential.base.token(scope: sim.cloud.armScope)
                Issue.record("the rewritten token file was not re-read")
            } catch let error as AzureError {
                #expect(error.description.contains("AADSTS700213"))
            }
        }
    }

    @Test func credentialSelectionFollowsTheSpecOrder() throws {
        let holder = AsyncHTTPClientHolder()
        defer { holder.shutdown() }
        let http = holder.http
        func base(_ settings: AzureSettings, _ environment: [String: String] = [:], plugin: Bool = true) throws
            -> any AzureCredential
        {
            try AzureCredentials.make(
                settings: settings, environment: environment, http: http,
                pluginIdentityToken: plugin ? { @Sendable _ in "assertion" } : nil
            ).base
        }
        let stored = AzureSettings(tenantID: "t", resource: "r", clientID: "c", clientSecret: "s")
        #expect(try base(stored) is ClientSecretCredential)
        var wif = AzureSettings(
            tenantID: "t", resource: "r", clientID: "c", clientSecret: "env", clientSecretFromEnvironment: true,
            identityTokenAudience: "api://AzureADTokenExchange")
        #expect(try base(wif) is ClientAssertionCredential)
        #expect(throws: AzureError.self) { try base(wif, plugin: false) }
        wif.identityTokenAudience = ""
        #expect(try base(wif) is ClientSecretCredential)
        let bare = AzureSettings(tenantID: "t", resource: "r", clientID: "c")
        #expect(try base(bare, ["AZURE_FEDERATED_TOKEN_FILE": "/tmp/x"]) is ClientAssertionCredential)
        #expect(try base(bare) is ManagedIdentityCredential)
        #expect(
            try base(AzureSettings(tenantID: "t", resource: "r"), ["AZURE_FEDERATED_TOKEN_FILE": "/tmp/x"])
                is ManagedIdentityCredential)
    }

    @Test func pluginAssertionIsSentToTheTokenEndpoint() async throws {
        try await withSimulator { sim in
            let audiences = Mutex<[String]>([])
            let settings = AzureSettings(
                tenantID: Estate.tenant, resource: "r", clientID: Estate.appID, cloud: sim.cloud,
                identityTokenAudience: "api://AzureADTokenExchange")
            let credential = try AzureCredentials.make(settings: settings, environment: [:], http: sim.http) {
                audience in
                audiences.withLock { $0.append(audience) }
                return "not-a-trusted-assertion"
            }
            do {
                _ = try await credential.token(scope: sim.cloud.armScope)
                Issue.record("an untrusted assertion got a token")
            } catch let error as AzureError {
                guard case .upstream("token endpoint", 400, _) = error else {
                    Issue.record("expected upstream 400, got \(error)")
                    return
                }
                #expect(!error.description.contains("not-a-trusted-assertion"))
            }
            #expect(audiences.withLock { $0 } == ["api://AzureADTokenExchange"])
        }
    }
}
