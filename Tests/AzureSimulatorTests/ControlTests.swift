import Foundation
import Testing

@testable import AzureSimulator

/// Fault injection, the request log, throttling, runtime estate changes and the HTTP control API.
@Suite struct ControlTests {
    @Test func faultsFireExactlyNTimes() async throws {
        try await Example.withSimulator { sim in
            sim.injectFault(pathContains: "/.well-known/", status: 503, retryAfter: 7, count: 2)
            let url = "\(sim.baseURL)\(Example.tenant)/.well-known/openid-configuration"
            let first = try await HTTP.get(url)
            #expect(first.status == 503)
            #expect(first.headers.first(name: "Retry-After") == "7")
            #expect(first.json["error"]?["code"] == "ServiceUnavailable")
            #expect(try await HTTP.get(url).status == 503)
            #expect(try await HTTP.get(url).status == 200)
            #expect(try await HTTP.get(url).status == 200)
            #expect(sim.requestLog().map(\.status) == [503, 503, 200, 200])
            #expect(sim.requestCount(pathContains: "/.well-known/") == 4)
            #expect(sim.requestCount(pathContains: "/.well-known/", method: "POST") == 0)
            sim.resetLog()
            #expect(sim.requestLog().isEmpty)
        }
    }

    @Test func faultsMatchMethodAndCanDelay() async throws {
        try await Example.withSimulator { (sim) async throws in
            let url = "\(sim.baseURL)\(Example.tenant)/discovery/v2.0/keys"
            sim.injectFault(pathContains: "/discovery/", method: "POST", status: 500, count: 1)
            #expect(try await HTTP.get(url).status == 200)
            sim.clearFaults()
            sim.injectFault(pathContains: "/discovery/", delay: .milliseconds(300), count: 1)
            let start = ContinuousClock.now
            #expect(try await HTTP.get(url).status == 200)
            #expect(ContinuousClock.now - start >= .milliseconds(300))
        }
    }

    @Test func throttleAnswers429WithRetryAfterWhenTheBucketIsEmpty() async throws {
        try await Example.withSimulator { sim in
            sim.setThrottling(enabled: true, capacity: 20, refillPerSecond: 1)
            let token = try sim.applicationToken(appID: Example.appID)
            let url = "\(sim.baseURL)\(Example.vmID.dropFirst())?api-version=2022-11-01"
            var statuses: [Int] = []
            var throttled: HTTPAnswer?
            let start = ContinuousClock.now
            for _ in 0..<40 {
                let answer = try await HTTP.get(url, headers: [("Authorization", "Bearer \(token)")])
                statuses.append(answer.status)
                if answer.status == 429 {
                    throttled = answer
                    break
                }
            }
            let refused = try #require(throttled)
            #expect(statuses.prefix(20).allSatisfy { $0 == 200 })
            // The bucket refills one read per second, so a loaded machine earns a read per second it spent.
            let elapsed = Int((ContinuousClock.now - start).components.seconds)
            #expect(statuses.count <= 23 + elapsed, "\(statuses.count) reads in \(elapsed) s")
            #expect(Int(refused.headers.first(name: "Retry-After") ?? "") ?? 0 >= 1)
            #expect(refused.json["error"]?["code"] == "TooManyRequests")
            // Another subscription has its own bucket.
            let other = try await HTTP.get(
                "\(sim.baseURL)\(Example.sharedIdentityID.dropFirst())?api-version=2023-01-31",
                headers: [("Authorization", "Bearer \(token)")])
            #expect(other.status == 200)
            sim.setThrottling(enabled: false)
            #expect(try await HTTP.get(url, headers: [("Authorization", "Bearer \(token)")]).status == 200)
        }
    }

    @Test func defaultThrottleIsAzures250ReadBucket() throws {
        let fixture = try Example.fixture()
        let simulator = try AzureSimulator(fixture: fixture)
        simulator.setThrottling(enabled: true)
        var allowed = 0
        while simulator.core.throttle(subscription: Example.subscription) == nil, allowed < 1000 { allowed += 1 }
        // 250 plus what refilled (25/s) during the loop, which takes well under a second.
        #expect(allowed >= 250 && allowed < 275)
        let refusal = try #require(simulator.core.throttle(subscription: Example.subscription))
        #expect(refusal.status == 429)
        #expect(refusal.headers.contains { $0.0 == "Retry-After" })
    }

    @Test func estateChangesAtRuntime() async throws {
        try await Example.withSimulator { sim in
            let token = try sim.applicationToken(appID: Example.appID)
            let path =
                "subscriptions/\(Example.subscription)/resourceGroups/rg-apps/providers/Microsoft.Compute/virtualMachines/vm-new?api-version=2022-11-01"
            #expect(
                try await HTTP.get(sim.baseURL + path, headers: [("Authorization", "Bearer \(token)")]).status == 404)
            try sim.updateFixture { fixture in
                fixture.virtualMachines.append(
                    .init(
                        subscriptionId: Example.subscription, resourceGroup: "rg-apps", name: "vm-new",
                        userAssignedIdentities: ["uami-shared"]))
            }
            let found = try await HTTP.get(sim.baseURL + path, headers: [("Authorization", "Bearer \(token)")])
            #expect(found.status == 200)
            #expect(found.json["identity"]?["type"] == "UserAssigned")
            #expect(throws: SimulatorError.self) {
                try sim.updateFixture { $0.virtualMachines[0].userAssignedIdentities = ["no-such-identity"] }
            }
        }
    }

    @Test func controlAPIOverHTTP() async throws {
        try await Example.withSimulator { sim in
            let control = "\(sim.baseURL)_simulator/"
            #expect(try await HTTP.get(control + "health").json["status"] == "ok")
            let environment = try await HTTP.get(control + "environment").json
            #expect(environment["activeDirectoryEndpoint"] == .string(sim.baseURL))
            #expect(environment == sim.environment)
            let minted = try await HTTP.postJSON(
                control + "tokens/managed-identity", ["vm": "vm-web", "identity": "uami-web", "resource": "api://x"])
            let claims = try TokenCheck.verify(try #require(minted.json["access_token"]?.stringValue), jwks: sim.jwks())
                .claims
            #expect(claims["oid"] == .string(Example.webIdentityPrincipal))
            #expect(claims["aud"] == "api://x")
            let workload = try await HTTP.postJSON(
                control + "tokens/workload-identity", ["clientId": .string(Example.appID), "audience": "api://x"])
            let workloadClaims = try TokenCheck.decode(try #require(workload.json["access_token"]?.stringValue)).claims
            #expect(workloadClaims["ver"] == "2.0")
            #expect(workloadClaims["oid"] == .string(Example.appPrincipal))
            let missing = try await HTTP.postJSON(control + "tokens/managed-identity", ["vm": "nope"])
            #expect(missing.status == 404)
            let custom = try await HTTP.postJSON(control + "tokens/custom", ["claims": ["sub": "me"], "kid": "other"])
            #expect(
                try TokenCheck.decode(try #require(custom.json["access_token"]?.stringValue)).header["kid"] == "other")
            let before = sim.jwks()
            let rotated = try await HTTP.send(.POST, control + "keys/rotate")
            #expect(rotated.json != before)
            #expect(rotated.json == sim.jwks())
            let fault = try await HTTP.postJSON(
                control + "faults", ["pathContains": "/metadata/", "status": 429, "retryAfter": 2, "count": 1])
            #expect(fault.status == 204)
            let imds = try await HTTP.get(
                "\(sim.baseURL)metadata/instance?api-version=2021-05-01", headers: [("Metadata", "true")])
            #expect(imds.status == 429)
            let log = try await HTTP.get(control + "requests?pathContains=/metadata/").json
            #expect(log["count"] == 1)
            #expect(log["requests"]?.arrayValue?.first?["status"] == 429)
            #expect(try await HTTP.send(.DELETE, control + "requests").status == 204)
            #expect(sim.requestLog().isEmpty)
            let throttle = try await HTTP.send(
                .PUT, control + "throttling", body: Data(#"{"enabled":true,"capacity":1,"refillPerSecond":0.01}"#.utf8))
            #expect(throttle.status == 204)
            let token = try sim.applicationToken(appID: Example.appID)
            let url = "\(sim.baseURL)\(Example.vmID.dropFirst())?api-version=2022-11-01"
            #expect(try await HTTP.get(url, headers: [("Authorization", "Bearer \(token)")]).status == 200)
            #expect(try await HTTP.get(url, headers: [("Authorization", "Bearer \(token)")]).status == 429)
            let current = try await HTTP.send(
                .PUT, control + "current-machine", body: Data(#"{"scaleSet":"vmss-uniform","instance":"1"}"#.utf8))
            #expect(current.status == 204)
            #expect(sim.fixture.currentMachine == .init(scaleSet: "vmss-uniform", instance: "1"))
            let fixture = try await HTTP.get(control + "fixture")
            #expect(try SimulatorFixture.parse(fixture.body) == sim.fixture)
        }
    }

    @Test func exampleFixtureLoadsAndListensOnLoopbackOnly() async throws {
        let fixture = try Example.fixture()
        #expect(fixture.tenants.map(\.tenantId) == [Example.tenant])
        #expect(fixture.virtualMachineScaleSets.map(\.orchestrationMode) == [.flexible, .uniform])
        #expect(Set(fixture.userAssignedIdentities.map(\.subscriptionId)).count == 2)
        let simulator = try await AzureSimulator.make(fixture: fixture)
        await #expect(throws: SimulatorError.self) { try await simulator.start(host: "0.0.0.0") }
        let port = try await simulator.start()
        #expect(simulator.baseURL == "http://127.0.0.1:\(port)/")
        await simulator.stop()
        await #expect(throws: (any Error).self) {
            try await HTTP.send(.GET, simulator.baseURL + "_simulator/health", timeout: .seconds(1))
        }
    }
}
