import CofferFramework
import CofferStorage
import CofferTesting
import Foundation
import KVSecrets
import Logging
import Testing

@testable import CofferCore

/// The persisted expiration index (docs/expiration.md): written with the token, moved on renewal, deleted on
/// revocation, read a bucket at a time, migrated once for stores written before it.
@Suite struct ExpirationIndexTests {
    /// A token store and an expiration manager on plain in-memory storage, on a clock the test moves; the
    /// manager's loop is not started, so the test runs its steps.
    struct Fixture {
        let storage = MemoryStorage()
        let clock = ManualClock()
        let store: TokenStore
        let manager: ExpirationManager

        init(indexesExpiry: Bool = true) async throws {
            store = try await TokenStore.load(storage: storage, indexesExpiry: indexesExpiry)
            let clock = self.clock
            manager = ExpirationManager(store: store, logger: Logger(label: "test"), clock: { clock.seconds })
            let manager = self.manager
            store.setExpirationHandler {
                manager.schedule(hash: $0, expireTime: $1)
            } dropped: {
                manager.dropped(hash: $0, expireTime: $1)
            }
            try await manager.restore()
        }

        func create(ttl: Int64, parent: String? = nil) async throws -> TokenEntry {
            let entry = TokenEntry(
                idHash: "", accessor: TokenStore.newAccessor(), parentHash: parent, policies: ["default"],
                path: "auth/token/create", meta: nil, displayName: "token", numUses: 0, creationTime: clock.seconds,
                ttl: ttl, explicitMaxTTL: 0, period: 0, maxTTL: 0, renewable: true, type: .service, boundCIDRs: [],
                entityID: "")
            return try await store.create(entry, id: TokenStore.newServiceTokenID())
        }

        /// Every stored key under the token store, recursively.
        func keys(_ prefix: String) async throws -> [String] {
            try await storage.listRecursive(prefix: "sys/token/" + prefix).map { prefix + $0 }
        }

        func indexEntries(of hash: String) async throws -> [String] {
            try await keys("expire/").filter { $0.hasSuffix("-" + hash) }
        }

        /// Runs manager steps until one asks to wait.
        func drain() async {
            for _ in 0..<100 where await manager.revokeDue() == 0 {}
        }
    }

    /// A bucket's marker is written with the first token of the bucket only; once the marker is deleted (a swept
    /// bucket), the next token of that bucket writes it again.
    @Test func aBucketMarkerIsWrittenOncePerBucketUntilDeleted() async throws {
        let fixture = try await Fixture()
        let first = try await fixture.create(ttl: 3600)
        let markers = try await fixture.keys("expire-bucket/")
        #expect(markers.count == 1)
        let marker = try #require(markers.first)
        // Removed behind the store's back: a second token of the bucket does not write it again.
        try await fixture.storage.delete("sys/token/" + marker)
        _ = try await fixture.create(ttl: 3600)
        #expect(try await fixture.keys("expire-bucket/").isEmpty)
        let bucket = try #require(ExpiryIndexKey(first)?.bucket)
        try await fixture.store.deleteExpiryMarker(bucket: bucket)
        _ = try await fixture.create(ttl: 3600)
        #expect(try await fixture.keys("expire-bucket/") == [marker])
    }

    @Test func theIndexEntryIsWrittenWithTheTokenMovedOnRenewalAndDeletedOnRevocation() async throws {
        let fixture = try await Fixture()
        let token = try await fixture.create(ttl: 3600)
        let index = try #require(ExpiryIndexKey(token))
        #expect(try await fixture.indexEntries(of: token.idHash) == [index.key])
        #expect(try await fixture.keys("expire-bucket/") == [index.markerKey])
        let renewed = try #require(
            try await fixture.store.modify(hash: token.idHash) { $0.expireTime = fixture.clock.seconds + 7200 })
        let moved = try #require(ExpiryIndexKey(renewed))
        #expect(moved.bucket != index.bucket)
        #expect(try await fixture.indexEntries(of: token.idHash) == [moved.key])
        try await fixture.store.revokeTree(hash: token.idHash)
        #expect(try await fixture.indexEntries(of: token.idHash).isEmpty)
        #expect(try await fixture.store.storage.get("id/" + token.idHash) == nil)
    }

    @Test func aNonExpiringTokenHasNoIndexEntry() async throws {
        let fixture = try await Fixture()
        _ = try await fixture.create(ttl: 0)
        #expect(try await fixture.keys("expire/").isEmpty)
        #expect(try await fixture.keys("expire-bucket/").isEmpty)
    }

    @Test func dueTokensAreRevokedAtMost256PerStepAndTheBucketMarkerGoesAfter() async throws {
        let fixture = try await Fixture()
        var hashes: [String] = []
        for _ in 0..<600 { hashes.append(try await fixture.create(ttl: 60).idHash) }
        // Counted, but nothing is listed (held in memory) before its bucket comes near.
        #expect(fixture.manager.pendingCount == 600)
        #expect(fixture.manager.unlistedBucketCount == 1)
        fixture.clock.advance(seconds: 61)
        #expect(await fixture.manager.revokeDue() == 0)
        #expect(try await fixture.keys("id/").count == 600 - 256)
        #expect(await fixture.manager.revokeDue() == 0)
        #expect(try await fixture.keys("id/").count == 600 - 512)
        #expect(await fixture.manager.revokeDue() > 0)
        #expect(try await fixture.keys("id/").isEmpty)
        #expect(try await fixture.keys("expire/").isEmpty)
        #expect(try await fixture.keys("accessor/").isEmpty)
        // The bucket ends at the next whole minute after the expiry; its marker is deleted once it has passed.
        #expect(try await fixture.keys("expire-bucket/").count == 1)
        fixture.clock.advance(seconds: 60)
        await fixture.drain()
        #expect(try await fixture.keys("expire-bucket/").isEmpty)
    }

    @Test func aTokenIsRevokedAtItsExactExpiryNotAtTheEndOfItsBucket() async throws {
        let fixture = try await Fixture()
        let parent = try await fixture.create(ttl: 10)
        let child = try await fixture.create(ttl: 3600, parent: parent.idHash)
        fixture.clock.advance(seconds: 9)
        await fixture.drain()
        #expect(try await fixture.store.storedEntry(hash: parent.idHash) != nil)
        fixture.clock.advance(seconds: 2)
        await fixture.drain()
        #expect(try await fixture.store.storedEntry(hash: parent.idHash) == nil)
        // The child had an hour left: it goes with its parent's tree.
        #expect(try await fixture.store.storedEntry(hash: child.idHash) == nil)
        #expect(try await fixture.keys("expire/").isEmpty)
    }

    @Test func entriesLeftByACrashAreSettledWhenTheirBucketIsSwept() async throws {
        let fixture = try await Fixture()
        let token = try await fixture.create(ttl: 30)
        // What a crash between writes could leave: an index entry without its token, in the same bucket.
        let ghost = try #require(
            ExpiryIndexKey(expireTime: fixture.clock.seconds + 20, hash: String(repeating: "ab", count: 32)))
        try await fixture.store.storage.put(ghost.key, value: [])
        fixture.clock.advance(seconds: 121)
        await fixture.drain()
        #expect(try await fixture.store.storedEntry(hash: token.idHash) == nil)
        #expect(try await fixture.keys("expire/").isEmpty)
        #expect(try await fixture.keys("expire-bucket/").isEmpty)
    }

    @Test func renewalRevocationAndExpiryRacingLeaveNoRevokedOrExpiredTokenBehind() async throws {
        let fixture = try await Fixture()
        var tokens: [TokenEntry] = []
        for _ in 0..<64 { tokens.append(try await fixture.create(ttl: 60)) }
        fixture.clock.advance(seconds: 59)
        await fixture.drain()  // lists the bucket: every token is in the manager's heap
        let store = fixture.store
        let clock = fixture.clock
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (position, token) in tokens.enumerated() {
                group.addTask {
                    // A renewal as the backend does it: only a live token is renewed.
                    guard try await store.entry(hash: token.idHash, now: clock.seconds) != nil else { return }
                    _ = try await store.modify(hash: token.idHash) { $0.expireTime = clock.seconds + 600 }
                }
                if position % 2 == 1 {
                    group.addTask { try await store.revokeTree(hash: token.idHash) }
                }
            }
            group.addTask {
                clock.advance(seconds: 2)
                for _ in 0..<8 { _ = await fixture.manager.revokeDue() }
            }
            try await group.waitForAll()
        }
        await fixture.drain()
        let now = clock.seconds
        for (position, token) in tokens.enumerated() {
            let stored = try await store.storedEntry(hash: token.idHash)
            let entries = try await fixture.indexEntries(of: token.idHash)
            if position % 2 == 1 {
                #expect(stored == nil, "a revoked token stays revoked")
            }
            if let stored {
                // Survivors were renewed before they expired; their one index entry is their current expiry.
                #expect(try #require(stored.expireTime) > now)
                #expect(entries == [try #require(ExpiryIndexKey(stored)).key])
            } else {
                #expect(entries.isEmpty)
                #expect(try await store.lookup(accessor: token.accessor, now: now) == nil)
            }
        }
        clock.advance(seconds: 700)
        await fixture.drain()
        #expect(try await fixture.keys("id/").isEmpty)
        #expect(try await fixture.keys("expire/").isEmpty)
    }

    @Test func theTokenCacheIsBoundedByItsConfiguredSize() async throws {
        let store = try await TokenStore.load(storage: MemoryStorage(), cacheLimit: 8)
        for _ in 0..<40 {
            let entry = TokenEntry(
                idHash: "", accessor: TokenStore.newAccessor(), parentHash: nil, policies: ["default"],
                path: "auth/token/create", meta: nil, displayName: "token", numUses: 0, creationTime: 1, ttl: 0,
                explicitMaxTTL: 0, period: 0, maxTTL: 0, renewable: false, type: .service, boundCIDRs: [],
                entityID: "")
            let id = TokenStore.newServiceTokenID()
            _ = try await store.create(entry, id: id)
            #expect(try await store.lookup(id: id, now: 2) != nil)
        }
        #expect(store.cachedEntryCount == 8)
    }

    @Test func theLeaseCountFollowsCreationRenewalRevocationAndRestore() async throws {
        let fixture = try await Fixture()
        var tokens: [TokenEntry] = []
        for ttl: Int64 in [600, 1200, 1800] { tokens.append(try await fixture.create(ttl: ttl)) }
        _ = try await fixture.create(ttl: 0)
        #expect(fixture.manager.pendingCount == 3)
        _ = try await fixture.store.modify(hash: tokens[0].idHash) { $0.expireTime = fixture.clock.seconds + 3600 }
        #expect(fixture.manager.pendingCount == 3)
        try await fixture.store.revokeTree(hash: tokens[1].idHash)
        #expect(fixture.manager.pendingCount == 2)
        // A manager started on the same storage counts the stored tokens when their buckets are listed.
        let restarted = ExpirationManager(
            store: fixture.store, logger: Logger(label: "test"), clock: { fixture.clock.seconds })
        try await restarted.restore()
        #expect(restarted.pendingCount == 0)
        // Four markers: a renewal or revocation leaves its old bucket's marker to that bucket's sweep.
        #expect(restarted.unlistedBucketCount == 4)
        fixture.clock.advance(seconds: 3600)
        _ = await restarted.revokeDue()
        #expect(restarted.unlistedBucketCount == 0)
        restarted.stop()
    }

    @Test func withoutTheIndexTheWholeScheduleIsInMemoryAndTokensStillExpire() async throws {
        let fixture = try await Fixture(indexesExpiry: false)
        let short = try await fixture.create(ttl: 30)
        let long = try await fixture.create(ttl: 3600)
        _ = try await fixture.store.modify(hash: long.idHash) { $0.expireTime = fixture.clock.seconds + 7200 }
        #expect(try await fixture.keys("expire").isEmpty)
        #expect(try await fixture.keys("expiry-index-version").isEmpty)
        #expect(fixture.manager.pendingCount == 3)  // the renewed token's old expiry is skipped when it comes due
        fixture.clock.advance(seconds: 31)
        await fixture.drain()
        #expect(try await fixture.store.storedEntry(hash: short.idHash) == nil)
        #expect(try await fixture.store.storedEntry(hash: long.idHash) != nil)
        fixture.clock.advance(seconds: 7200)
        await fixture.drain()
        #expect(try await fixture.store.storedEntry(hash: long.idHash) == nil)
        #expect(fixture.manager.pendingCount == 0)
    }
}
