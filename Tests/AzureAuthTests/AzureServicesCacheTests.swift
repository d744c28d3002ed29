import AzureAuth
import AzureKit
import CofferCore
import CofferFramework
import Foundation
import Synchronization
import Testing

/// The per-configuration services cache of a mount: a config write during a login wins.
@Suite struct AzureServicesCacheTests {
    /// Holds the first `makeServices` call until released, so a config write can land in the middle of a login.
    final class GatedFactory: AzureServicesFactory {
        let base: AzureKitServicesFactory
        let entered = Mutex(false)
        let release = DispatchSemaphore(value: 0)
        private let first = Mutex(true)

        init(base: AzureKitServicesFactory) { self.base = base }

        func makeServices(_ settings: AzureSettings) throws -> AzureServices {
            if first.withLock({ first in
                defer { first = false }; return first
            }) {
                entered.withLock { $0 = true }
                // Blocking is the point here: it pins the login between reading the config and caching.
                _ = release.wait(timeout: .now() + 10)
            }
            return try base.makeServices(settings)
        }

        func shutdown() async { await base.shutdown() }
    }

    @Test func aConfigWriteDuringALoginIsNotOverwrittenByItsStaleServices() async throws {
        let gate = Mutex<GatedFactory?>(nil)
        try await withAzureLab(wrap: { base in
            let factory = GatedFactory(base: base)
            gate.withLock { $0 = factory }
            return factory
        }) { lab in
            let factory = try #require(gate.withLock { $0 })
            try await lab.role("sp", ["bound_service_principal_ids": .string(Sim.vmPrincipal)])
            let oldAudience = try lab.simulator.managedIdentityToken(vm: "vm-web")
            let first = Task { await lab.login(role: "sp", jwt: oldAudience).status }
            while !factory.entered.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(5)) }
            try await lab.configure(["resource": "api://coffer"])
            factory.release.signal()
            #expect(await first.value == 200)  // that login began under the old configuration

            let newAudience = try lab.simulator.managedIdentityToken(vm: "vm-web", resource: "api://coffer")
            let answer = await lab.login(role: "sp", jwt: newAudience)
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            #expect(await lab.login(role: "sp", jwt: oldAudience).status == 400)
        }
    }
}
