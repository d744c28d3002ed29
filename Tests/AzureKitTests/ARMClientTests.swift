import AzureSimulator
import Foundation
import Testing

@testable import AzureKit

/// The production ARM client (paths, JSON, paging, retries, token caching) against the simulator.
@Suite struct ARMClientTests {
    static func failure(_ body: () async throws -> some Any) async -> AzureError? {
        do {
            _ = try await body()
            return nil
        } catch let error as AzureError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func readsAVirtualMachineWithInstanceView() async throws {
        try await withSimulator { sim in
            let vm = try await sim.arm().virtualMachine(
                subscription: Estate.subscription, resourceGroup: "rg-vm", name: "vm1")
            #expect(vm.name == "vm1")
            #expect(vm.location == "westeurope")
            #expect(vm.identity?.principalID == Estate.vmPrincipal)
            #expect(vm.identity?.userAssignedIdentities == [Estate.identityID("uami-1"): Estate.principal(1)])
            let request = try #require(sim.simulator.requestLog().last { $0.path.hasSuffix("/virtualMachines/vm1") })
            #expect(
                request.path
                    == "/subscriptions/\(Estate.subscription)/resourceGroups/rg-vm/providers/Microsoft.Compute/virtualMachines/vm1"
            )
            #expect(request.query["api-version"] == "2022-11-01")
            #expect(request.query["$expand"] == "instanceView")
        }
    }

    @Test func readsUniformAndFlexibleScaleSets() async throws {
        try await withSimulator { sim in
            let arm = sim.arm()
            let uniform = try await arm.virtualMachineScaleSet(
                subscription: Estate.subscription, resourceGroup: "rg-vm", name: "ss-uniform")
            #expect(uniform.location == "northeurope")
            #expect(uniform.identity?.principalID == Estate.uniformPrincipal)
            #expect(uniform.identity?.userAssignedIdentities == [Estate.identityID("uami-2"): Estate.principal(2)])
            let flexible = try await arm.virtualMachineScaleSet(
                subscription: Estate.subscription, resourceGroup: "rg-vm", name: "ss-flex")
            #expect(flexible.location == "eastus")
            #expect(flexible.identity?.principalID == nil)
            // Flexible scale sets list user-assigned identities without principalId.
            let withoutPrincipal: [String: String?] = [Estate.identityID("uami-3"): String?.none]
            #expect(flexible.identity?.userAssignedIdentities == withoutPrincipal)
            let request = try #require(sim.simulator.requestLog().last)
            #expect(request.query["api-version"] == "2022-11-01")
            #expect(request.query["$expand"] == nil)
        }
    }

    @Test func readsAUserAssignedIdentityByResourceID() async throws {
        try await withSimulator { sim in
            let identity = try await sim.arm().userAssignedIdentity(resourceID: Estate.identityID("uami-3"))
            #expect(
                identity
                    == ManagedIdentityInfo(
                        id: Estate.identityID("uami-3"), principalID: Estate.principal(3), clientID: Estate.client(3)))
            #expect(sim.simulator.requestLog().last?.query["api-version"] == "2023-01-31")
            let notAnIdentity = await Self.failure {
                try await sim.arm().userAssignedIdentity(resourceID: Estate.siteID)
            }
            #expect(
                notAnIdentity?.description.contains("unable to parse the user-assigned identity resource ID") == true)
        }
    }

    @Test func listsIdentitiesAcrossPages() async throws {
        try await withSimulator { sim in
            let identities = try await sim.arm().userAssignedIdentities(
                subscription: Estate.subscription, resourceGroup: "rg-id")
            #expect(identities.map(\.clientID) == (1...5).map { Estate.client($0) })
            #expect(identities.map(\.principalID) == (1...5).map { Estate.principal($0) })
            #expect(sim.count("/userAssignedIdentities", method: "GET") == 3)
        }
    }

    @Test func readsProviderMetadataAndResolvesAPIVersions() async throws {
        try await withSimulator { sim in
            let arm = sim.arm()
            let types = try await arm.providerResourceTypes(
                subscription: Estate.subscription, namespace: "Microsoft.Web")
            #expect(types["sites"] == ["2024-01-01-preview", "2023-01-01", "2022-03-01"])
            #expect(sim.simulator.requestLog().last?.query["api-version"] == "2021-04-01")
            #expect(
                sim.simulator.requestLog().last?.path == "/subscriptions/\(Estate.subscription)/providers/Microsoft.Web"
            )

            let resolver = ARMAPIVersionResolver()
            sim.simulator.resetLog()
            #expect(
                try await resolver.apiVersion(resourceID: Estate.siteID, subscription: Estate.subscription, arm: arm)
                    == "2023-01-01")
            #expect(
                try await resolver.apiVersion(resourceID: Estate.siteID, subscription: Estate.subscription, arm: arm)
                    == "2023-01-01")
            #expect(sim.count("/providers/Microsoft.Web") == 1)
            // A type the provider does not list falls back and is not cached.
            let slot = Estate.siteID + "/slots/blue"
            #expect(
                try await resolver.apiVersion(resourceID: slot, subscription: Estate.subscription, arm: arm)
                    == "2022-03-01")
            #expect(
                try await resolver.apiVersion(resourceID: slot, subscription: Estate.subscription, arm: arm)
                    == "2022-03-01")
            #expect(sim.count("/providers/Microsoft.Web") == 3)
            let unparsable = await Self.failure {
                try await resolver.apiVersion(
                    resourceID: "/subscriptions/s/resourceGroups/rg", subscription: "s", arm: arm)
            }
            #expect(unparsable == .rejected("unable to parse the resource ID: \"/subscriptions/s/resourceGroups/rg\""))
        }
    }

    @Test func readsAGenericResource() async throws {
        try await withSimulator { sim in
            let site = try await sim.arm().resource(id: Estate.siteID, apiVersion: "2023-01-01")
            #expect(site.name == "app1")
            #expect(site.location == "westeurope")
            #expect(site.identity?.principalID == Estate.sitePrincipal)
            #expect(sim.simulator.requestLog().last?.path == Estate.siteID)
            #expect(sim.simulator.requestLog().last?.query["api-version"] == "2023-01-01")
        }
    }

    @Test func aFlexibleInstanceNamesItsScaleSet() async throws {
        var fixture = Estate.fixture
        // `properties` is free-form for generic resources; a shape the client does not expect is not an error.
        let oddID = "/subscriptions/\(Estate.subscription)/resourceGroups/rg-web/providers/Microsoft.Web/sites/odd"
        fixture.resources.append(.init(id: oddID, location: "westeurope", properties: .string("not an object")))
        let typoID = "/subscriptions/\(Estate.subscription)/resourceGroups/rg-web/providers/Microsoft.Web/sites/typo"
        fixture.resources.append(.init(id: typoID, properties: ["virtualMachineScaleSet": "not an object"]))
        try await withSimulator(fixture) { sim in
            let arm = sim.arm()
            let instance = try await arm.virtualMachine(
                subscription: Estate.subscription, resourceGroup: "rg-vm", name: "ss-flex_a1b2")
            #expect(
                instance.scaleSetID
                    == "/subscriptions/\(Estate.subscription)/resourceGroups/rg-vm/providers/Microsoft.Compute/virtualMachineScaleSets/ss-flex"
            )
            let standalone = try await arm.virtualMachine(
                subscription: Estate.subscription, resourceGroup: "rg-vm", name: "vm1")
            #expect(standalone.scaleSetID == nil)
            let odd = try await arm.resource(id: oddID, apiVersion: "2023-01-01")
            #expect(odd.name == "odd")
            #expect(odd.scaleSetID == nil)
            let typo = try await arm.resource(id: typoID, apiVersion: "2023-01-01")
            #expect(typo.name == "typo")
            #expect(typo.scaleSetID == nil)
        }
    }

    @Test func retriesAfter429HonouringRetryAfter() async throws {
        try await withSimulator { sim in
            sim.simulator.injectFault(pathContains: "/virtualMachines/vm1", status: 429, retryAfter: 1)
            let arm = sim.arm(retry: AzureRetryPolicy(maxRetries: 3, retryDelay: 0.01, maxRetryDelay: 5))
            let started = ContinuousClock.now
            let vm = try await arm.virtualMachine(
                subscription: Estate.subscription, resourceGroup: "rg-vm", name: "vm1")
            #expect(vm.identity?.principalID == Estate.vmPrincipal)
            #expect(ContinuousClock.now - started >= .milliseconds(950))
            #expect(sim.simulator.requestLog().filter { $0.path.hasSuffix("/vm1") }.map(\.status) == [429, 200])
        }
    }

    @Test func persistent503BecomesUpstreamAfterMaxRetriesPlusOneAttempts() async throws {
        try await withSimulator { sim in
            sim.simulator.injectFault(pathContains: "/virtualMachines/vm1", status: 503, count: 100)
            let error = await Self.failure {
                try await sim.arm(retry: AzureRetryPolicy(maxRetries: 2, retryDelay: 0.01, maxRetryDelay: 0.02))
                    .virtualMachine(subscription: Estate.subscription, resourceGroup: "rg-vm", name: "vm1")
            }
            guard case .upstream(let call, let status, _) = error else {
                Issue.record("expected upstream, got \(String(describing: error))")
                return
            }
            #expect(call == "ARM GET virtualMachines" && status == 503)
            #expect(sim.count("/virtualMachines/vm1") == 3)

            sim.simulator.resetLog()
            _ = await Self.failure {
                try await sim.arm(retry: AzureRetryPolicy(maxRetries: 0, retryDelay: 0.01, maxRetryDelay: 0.02))
                    .virtualMachine(subscription: Estate.subscription, resourceGroup: "rg-vm", name: "vm1")
            }
            #expect(sim.count("/virtualMachines/vm1") == 1)
        }
    }

    @Test func notFoundIsNotRetried() async throws {
        try await withSimulator { sim in
            let error = await Self.failure {
                try await sim.arm().virtualMachine(
                    subscription: Estate.subscription, resourceGroup: "rg-vm", name: "missing")
            }
            guard case .notFound(let call, let detail) = error else {
                Issue.record("expected notFound, got \(String(describing: error))")
                return
            }
            #expect(call == "ARM GET virtualMachines")
            #expect(detail.contains("ResourceNotFound"))
            #expect(sim.count("/virtualMachines/missing") == 1)
        }
    }

    @Test func otherClientErrorsAreUpstreamWithoutRetry() async throws {
        try await withSimulator { sim in
            sim.simulator.injectFault(pathContains: "/virtualMachineScaleSets/", status: 403, count: 5)
            let error = await Self.failure {
                try await sim.arm().virtualMachineScaleSet(
                    subscription: Estate.subscription, resourceGroup: "rg-vm", name: "ss-flex")
            }
            #expect(
                error
                    == .upstream(
                        call: "ARM GET virtualMachineScaleSets", status: 403,
                        detail: "InjectedFault: The simulator injected this 403 response."))
            #expect(sim.count("/virtualMachineScaleSets/") == 1)
        }
    }

    @Test func transportErrorsAreRetriedThenUpstream() async throws {
        try await withSimulator { sim in
            let closed = try AzureCloud(
                name: "closed", activeDirectoryEndpoint: sim.base, resourceManagerEndpoint: "http://127.0.0.1:1",
                tokenAudience: AzureSimulator.armTokenAudience, microsoftGraphEndpoint: "")
            // A short deadline: the HTTP client keeps retrying a refused connection until the deadline.
            let http = AzureHTTP(
                client: sim.client, version: "test", logger: sim.http.logger, timeout: .milliseconds(300))
            let arm = ARMClient(
                cloud: closed, credential: CachingCredential(sim.secretCredential()), http: http,
                retry: AzureRetryPolicy(maxRetries: 2, retryDelay: 0.01, maxRetryDelay: 0.02))
            let error = await Self.failure {
                try await arm.virtualMachine(subscription: Estate.subscription, resourceGroup: "rg", name: "vm")
            }
            guard case .upstream("ARM GET virtualMachines", nil, _) = error else {
                Issue.record("expected a transport upstream error, got \(String(describing: error))")
                return
            }
            #expect(sim.count("/oauth2/v2.0/token") == 1)
        }
    }

    @Test func clientSecretTokensAreCachedAcrossCalls() async throws {
        try await withSimulator { sim in
            let arm = sim.arm()
            _ = try await arm.virtualMachine(subscription: Estate.subscription, resourceGroup: "rg-vm", name: "vm1")
            _ = try await arm.virtualMachineScaleSet(
                subscription: Estate.subscription, resourceGroup: "rg-vm", name: "ss-flex")
            #expect(sim.count("/oauth2/v2.0/token", method: "POST") == 1)
            let tokenRequest = try #require(sim.simulator.requestLog().first)
            #expect(tokenRequest.path == "/\(Estate.tenant)/oauth2/v2.0/token")
        }
    }

    @Test func debugLogsNameTheCallButNoSecrets() async throws {
        try await withSimulator(logLevel: .debug) { sim in
            _ = try await sim.arm().virtualMachine(
                subscription: Estate.subscription, resourceGroup: "rg-vm", name: "vm1")
            let text = sim.logs.text
            #expect(text.contains("method=POST") && text.contains("method=GET"))
            #expect(text.contains("status=200"))
            #expect(text.contains("/virtualMachines/vm1?$expand=instanceView&api-version=2022-11-01"))
            #expect(sim.logs.all.allSatisfy { $0.metadata["duration_ms"] != nil })
            #expect(!text.contains(Estate.secret))
            #expect(!text.contains("eyJ"))
        }
    }

    @Test func loggingIsSilentAboveDebugUnlessTheSDKVariableIsSet() async throws {
        try await withSimulator(logLevel: .info) { sim in
            _ = try await sim.secretCredential().token(scope: sim.cloud.armScope)
            #expect(sim.logs.all.isEmpty)
        }
        try await withSimulator(logLevel: .info, environment: ["AZURE_SDK_GO_LOGGING": "all"]) { sim in
            _ = try await sim.secretCredential().token(scope: sim.cloud.armScope)
            #expect(sim.logs.all.count == 1)
            #expect(!sim.logs.text.contains(Estate.secret))
        }
    }
}
