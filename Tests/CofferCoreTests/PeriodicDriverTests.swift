import CofferCore
import CofferFramework
import CofferStorage
import Crypto
import Foundation
import Synchronization
import Testing

/// The core drives each mounted backend's periodic function: from unseal or enable until seal or unmount, at the
/// backend's own interval or the configured default.
@Suite struct PeriodicDriverTests {
    /// Counts the passes of every `ticker` mount.
    final class Ticks: Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func tick() { count.withLock { $0 += 1 } }
    }

    static func core(_ ticks: Ticks, interval: Duration?) -> Core {
        var configuration = CoreConfiguration()
        configuration.periodicInterval = .milliseconds(40)
        configuration.catalog = [
            BackendFactory(type: "ticker", kind: .secrets) { _ in
                FrameworkBackend(
                    kind: .secrets, paths: [],
                    periodic: PeriodicFunction(every: interval) { storage in
                        ticks.tick()
                        try await storage.put("last-tick", value: Array("tick".utf8))
                    })
            }
        ]
        return Core(barrier: Barrier(physical: MemoryPhysical()), configuration: configuration)
    }

    static func send(
        _ core: Core, _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:],
        token: String
    ) async -> CoreResponse {
        await core.handle(
            CoreRequest(id: UUID().uuidString, operation: operation, path: path, data: data, token: token))
    }

    /// Polls until `ticks` exceeds `count`; false after five seconds.
    static func ticks(_ ticks: Ticks, exceed count: Int) async throws -> Bool {
        for _ in 0..<250 {
            if ticks.value > count { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// The count once the timers had time to stop, then whether it stayed there.
    static func staysStill(_ ticks: Ticks) async throws -> Bool {
        try await Task.sleep(for: .milliseconds(100))
        let settled = ticks.value
        try await Task.sleep(for: .milliseconds(300))
        return ticks.value == settled
    }

    @Test func aMountsPeriodicFunctionRunsFromEnableUntilSealAndAgainAfterUnseal() async throws {
        let ticks = Ticks()
        let core = Self.core(ticks, interval: nil)
        let key = SymmetricKey(size: .bits256)
        let root = try await core.initialize(sealKey: key)
        try await Task.sleep(for: .milliseconds(100))
        #expect(ticks.value == 0)
        #expect(await Self.send(core, .update, "sys/mounts/ticker", ["type": "ticker"], token: root).status == 204)
        // The configured default interval (40 ms) applies: several passes within a second.
        #expect(try await Self.ticks(ticks, exceed: 3))

        await core.seal()
        #expect(try await Self.staysStill(ticks))
        let sealed = ticks.value
        try await core.unseal(sealKey: key)
        #expect(try await Self.ticks(ticks, exceed: sealed))
    }

    @Test func disablingTheMountStopsItsTimer() async throws {
        let ticks = Ticks()
        let core = Self.core(ticks, interval: .milliseconds(30))
        let root = try await core.initialize(sealKey: SymmetricKey(size: .bits256))
        #expect(await Self.send(core, .update, "sys/mounts/ticker", ["type": "ticker"], token: root).status == 204)
        #expect(try await Self.ticks(ticks, exceed: 2))
        #expect(await Self.send(core, .delete, "sys/mounts/ticker", token: root).status == 204)
        #expect(try await Self.staysStill(ticks))
        await core.seal()
    }

    @Test func theBackendsOwnIntervalWinsOverTheDefault() async throws {
        let ticks = Ticks()
        let core = Self.core(ticks, interval: .seconds(3600))
        let root = try await core.initialize(sealKey: SymmetricKey(size: .bits256))
        #expect(await Self.send(core, .update, "sys/mounts/ticker", ["type": "ticker"], token: root).status == 204)
        // The first pass runs at once; the next would be an hour later.
        #expect(try await Self.ticks(ticks, exceed: 0))
        try await Task.sleep(for: .milliseconds(300))
        #expect(ticks.value == 1)
        await core.seal()
    }
}
