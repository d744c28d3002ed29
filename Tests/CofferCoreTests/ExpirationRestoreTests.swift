import CofferFramework
import CofferStorage
import CofferTesting
import Crypto
import Foundation
import KVSecrets
import Testing

@testable import CofferCore

/// What an unseal reads of the token store: bucket markers only, and a store written before the expiration
/// index existed is indexed once (docs/expiration.md).
@Suite struct ExpirationRestoreTests {
    static func core(_ physical: any PhysicalStorage, clock: ManualClock) -> Core {
        var configuration = CoreConfiguration()
        configuration.catalog = KVBackend.factories
        configuration.clock = { clock.seconds }
        return Core(barrier: Barrier(physical: physical), configuration: configuration)
    }

    /// Token-store listings that grow with the number of stored tokens.
    static func perTokenListings(_ listed: [String]) -> [String] {
        listed.filter { prefix in
            ["sys/token/id/", "sys/token/accessor/", "sys/token/parent/", "sys/token/mount/", "sys/token/expire/"]
                .contains { prefix.hasPrefix($0) }
        }
    }

    /// Polls for background work (revocation, tidy). The deadline is generous because in the full suite other
    /// tests' processes and servers can keep the cooperative pool busy for many seconds.
    static func wait(_ what: String, _ condition: () async throws -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(90)
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for \(what)")
    }

    @Test func unsealListsNoTokenIndexOnlyTheBucketMarkers() async throws {
        let physical = ListRecordingPhysical(MemoryPhysical())
        let clock = ManualClock()
        let first = Self.core(physical, clock: clock)
        let key = SymmetricKey(size: .bits256)
        let root = try await first.initialize(sealKey: key)
        for ttl in ["1h", "2h", "0"] {
            let created = await first.handle(
                CoreRequest(operation: .update, path: "auth/token/create", data: ["ttl": .string(ttl)], token: root))
            #expect(created.status == 200)
        }
        await first.seal()
        physical.reset()
        let second = Self.core(physical, clock: clock)
        try await second.unseal(sealKey: key)
        #expect(Self.perTokenListings(physical.listed).isEmpty, "\(physical.listed)")
        #expect(physical.listed.contains("sys/token/expire-bucket/"))
        #expect(try second.unsealed().expiration.unlistedBucketCount == 2)
        await second.seal()
    }

    @Test func aStoreWithoutTheIndexIsIndexedOnceAndItsTokensStillExpire() async throws {
        let memory = MemoryPhysical()
        let physical = ListRecordingPhysical(memory)
        let clock = ManualClock()
        let first = Self.core(physical, clock: clock)
        let key = SymmetricKey(size: .bits256)
        let root = try await first.initialize(sealKey: key)
        func create(_ core: Core, ttl: String) async throws -> String {
            let created = await core.handle(
                CoreRequest(operation: .update, path: "auth/token/create", data: ["ttl": .string(ttl)], token: root))
            return try #require(created.clientToken)
        }
        let short = try await create(first, ttl: "90s")
        let long = try await create(first, ttl: "2h")
        let shortHash = try first.unsealed().tokens.hash(short)
        await first.seal()
        // What a version before the index left: tokens, no index, no marker saying it was built.
        for key in try await memory.listAllKeysForTest()
        where key.hasPrefix("sys/token/expire") || key == "sys/token/expiry-index-version" {
            try await memory.delete(key)
        }
        let second = Self.core(physical, clock: clock)
        try await second.unseal(sealKey: key)
        let indexed = try await memory.listAllKeysForTest().filter { $0.hasPrefix("sys/token/expire/") }
        #expect(indexed.count == 2)
        #expect(try await memory.get("sys/token/expiry-index-version") != nil)
        func send(_ core: Core, _ token: String) async -> Int {
            await core.handle(CoreRequest(operation: .read, path: "auth/token/lookup-self", token: token)).status
        }
        clock.advance(seconds: 91)
        #expect(await send(second, short) == 403)
        try await Self.wait("the migrated short-lived token's revocation") {
            try await memory.get("sys/token/id/" + shortHash) == nil
        }
        #expect(await send(second, long) == 200)
        await second.seal()
        // The marker is there: the next unseal lists no token again.
        physical.reset()
        let third = Self.core(physical, clock: clock)
        try await third.unseal(sealKey: key)
        #expect(Self.perTokenListings(physical.listed).isEmpty, "\(physical.listed)")
        #expect(await send(third, long) == 200)
        await third.seal()
    }
}
