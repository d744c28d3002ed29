import AzureSimulator
import CofferCore
import CofferFramework
import Foundation
import Testing

/// Azure failing: throttling, outages, discovery down, a restarted tenant with new keys, and no secrets in errors.
@Suite struct AzureFaultTests {
    static let vmRole: [String: JSONValue] = [
        "bound_subscription_ids": .string(Sim.subscription), "bound_resource_groups": "rg-apps",
    ]
    static let vmPath = "/virtualMachines/vm-web"

    @Test func throttledARMIsRetriedAfterRetryAfter() async throws {
        try await withAzureLab { lab in
            try await lab.role("vm", Self.vmRole)
            lab.simulator.injectFault(pathContains: Self.vmPath, status: 429, retryAfter: 1, count: 1)
            let started = ContinuousClock.now
            let answer = await lab.login(
                role: "vm", jwt: try lab.simulator.managedIdentityToken(vm: "vm-web"), vm: "vm-web")
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            #expect(lab.simulator.requestLog().filter { $0.path.hasSuffix(Self.vmPath) }.map(\.status) == [429, 200])
            #expect(ContinuousClock.now - started >= .milliseconds(900))
        }
    }

    @Test func persistentARMOutageIs502WithoutAToken() async throws {
        try await withAzureLab(config: ["max_retries": 1]) { lab in
            try await lab.role("vm", Self.vmRole)
            lab.simulator.injectFault(pathContains: Self.vmPath, status: 503, count: 100)
            let tokens = await lab.tokenCount
            let answer = await lab.login(
                role: "vm", jwt: try lab.simulator.managedIdentityToken(vm: "vm-web"), vm: "vm-web")
            #expect(answer.status == 502)
            #expect(answer.error.hasPrefix("unable to retrieve virtual machine metadata: ARM GET virtualMachines"))
            #expect(answer.error.contains("503"))
            #expect(lab.count(Self.vmPath) == 2)  // first attempt + max_retries
            #expect(await lab.tokenCount == tokens)
            #expect(await lab.entityCount == 0)
        }
    }

    @Test func discoveryDownIs502AndNotCached() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", ["bound_service_principal_ids": .string(Sim.vmPrincipal)])
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            lab.simulator.injectFault(pathContains: "/.well-known/openid-configuration", status: 503, count: 1)
            let down = await lab.login(role: "sp", jwt: jwt)
            #expect(down.status == 502)
            #expect(down.error.hasPrefix("OIDC discovery failed with status 503"))
            #expect(await lab.login(role: "sp", jwt: jwt).status == 200)
        }
    }

    @Test func unreachableAzureIs502() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", ["bound_service_principal_ids": .string(Sim.vmPrincipal)])
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            await lab.simulator.stop()
            let answer = await lab.login(role: "sp", jwt: jwt)
            #expect(answer.status == 502)
            #expect(answer.error.hasPrefix("OIDC discovery failed"))
            #expect(!answer.text.contains(jwt))
        }
    }

    @Test func aRestartedTenantWithNewKeysIsPickedUpOnTheUnknownKeyID() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", ["bound_service_principal_ids": .string(Sim.vmPrincipal)])
            try await lab.role("vm", Self.vmRole)
            #expect(
                await lab.login(role: "sp", jwt: try lab.simulator.managedIdentityToken(vm: "vm-web")).status == 200)
            #expect(
                await lab.login(role: "vm", jwt: try lab.simulator.managedIdentityToken(vm: "vm-web"), vm: "vm-web")
                    .status
                    == 200)
            let fresh = try await lab.restartSimulator()
            let jwt = try fresh.managedIdentityToken(vm: "vm-web")
            let sp = await lab.login(role: "sp", jwt: jwt)
            #expect(sp.status == 200, "\(sp.errors ?? [])")
            let vm = await lab.login(role: "vm", jwt: jwt, vm: "vm-web")
            #expect(vm.status == 200, "\(vm.errors ?? [])")
        }
    }

    @Test func armRejectingTheAccessTokenRenewsTheCredentialAtMostOncePerInterval() async throws {
        try await withAzureLab { lab in
            try await lab.role("vm", Self.vmRole)
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            lab.simulator.injectFault(pathContains: Self.vmPath, status: 401, count: 10)
            let first = await lab.login(role: "vm", jwt: jwt, vm: "vm-web")
            #expect(first.status == 502)
            #expect(
                first.error.hasPrefix(
                    "unable to retrieve virtual machine metadata: ARM GET virtualMachines failed with status 401"))
            let second = await lab.login(role: "vm", jwt: jwt, vm: "vm-web")
            #expect(second.status == 502)
            #expect(lab.count("/oauth2/v2.0/token") == 2)  // the first token, then one renewal
            #expect(lab.count(Self.vmPath) == 3)
            #expect(lab.count("/.well-known/openid-configuration") == 1)  // discovery and keys are kept
            #expect(lab.count("/discovery/v2.0/keys") == 1)
        }
    }

    @Test func concurrentLoginsAfterARestartShareOneCredentialRenewal() async throws {
        try await withAzureLab { lab in
            try await lab.role("vm", Self.vmRole)
            let before = try lab.simulator.managedIdentityToken(vm: "vm-web")
            #expect(await lab.login(role: "vm", jwt: before, vm: "vm-web").status == 200)
            let fresh = try await lab.restartSimulator()
            let jwt = try fresh.managedIdentityToken(vm: "vm-web")
            let answers = await withTaskGroup(of: CoreResponse.self) { group in
                for _ in 0..<8 { group.addTask { await lab.login(role: "vm", jwt: jwt, vm: "vm-web") } }
                return await group.reduce(into: [CoreResponse]()) { $0.append($1) }
            }
            #expect(answers.allSatisfy { $0.status == 200 }, "\(answers.map(\.error))")
            #expect(fresh.requestCount(pathContains: "/oauth2/v2.0/token") == 1)
        }
    }

    @Test func aRestartedTenantIsPickedUpAfterAConfigRewrite() async throws {
        try await withAzureLab { lab in
            try await lab.role("vm", Self.vmRole)
            #expect(
                await lab.login(role: "vm", jwt: try lab.simulator.managedIdentityToken(vm: "vm-web"), vm: "vm-web")
                    .status
                    == 200)
            let fresh = try await lab.restartSimulator()
            try await lab.configure()
            let answer = await lab.login(role: "vm", jwt: try fresh.managedIdentityToken(vm: "vm-web"), vm: "vm-web")
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            #expect(fresh.requestCount(pathContains: "/.well-known/openid-configuration") == 1)
        }
    }

    @Test func noSecretOrTokenAppearsInAnyFailure() async throws {
        let wrongSecret = "wrong~SecretValue-that-must-never-leak"
        try await withAzureLab(config: ["client_secret": .string(wrongSecret)]) { lab in
            try await lab.role("vm", Self.vmRole)
            try await lab.role("sp", ["bound_service_principal_ids": .string(Sim.appPrincipal)])
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            var failures: [CoreResponse] = []
            // The token endpoint refuses Coffer's secret: 502 naming the call, not the secret.
            let refused = await lab.login(role: "vm", jwt: jwt, vm: "vm-web")
            #expect(refused.status == 502)
            #expect(refused.error.contains("token endpoint"))
            #expect(refused.error.contains("401"))
            failures.append(refused)
            failures.append(await lab.login(role: "sp", jwt: jwt))
            failures.append(await lab.login(role: "sp", jwt: jwt + "x"))
            failures.append(await lab.login(role: "vm", jwt: jwt, vm: "vm-nope"))
            failures.append(await lab.login(role: "nope", jwt: jwt))
            lab.simulator.injectFault(pathContains: "/discovery/v2.0/keys", status: 500, count: 1)
            try await lab.configure(["client_secret": .string(wrongSecret)])
            failures.append(await lab.login(role: "sp", jwt: jwt))
            let signature = String(jwt.split(separator: ".")[2])
            let payload = String(jwt.split(separator: ".")[1])
            for failure in failures {
                #expect(failure.status >= 400)
                for secret in [wrongSecret, Sim.secret, jwt, signature, payload] {
                    #expect(!failure.text.contains(secret), "\(failure.text)")
                }
            }
            let config = await lab.request(.read, "auth/azure/config")
            #expect(!config.text.contains(wrongSecret))
        }
    }
}
