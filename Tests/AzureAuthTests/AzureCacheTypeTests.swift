import Foundation
import Synchronization
import Testing

@testable import AzureAuth

/// The two caches of an Azure mount on their own: the services of the current configuration (drops, rate-limited
/// coalesced renewal) and the decoded roles (writes invalidate, bounded size).
@Suite struct AzureCacheTypeTests {
    /// Counts calls; its values are the call numbers.
    final class Builds: Sendable {
        private let count = Mutex(0)
        var value: Int { count.withLock { $0 } }
        func next() -> Int {
            count.withLock {
                $0 += 1; return $0
            }
        }
    }

    /// A continuous-clock reading tests move by hand.
    final class HandClock: Sendable {
        private let offset = Mutex(Duration.zero)
        let start = ContinuousClock.now
        func advance(_ by: Duration) { offset.withLock { $0 += by } }
        func now() -> ContinuousClock.Instant { start + offset.withLock { $0 } }
    }

    @Test func servicesAreBuiltOnceAndADropDuringABuildIsNotCachedOver() async throws {
        let builds = Builds()
        let cache = AzureServicesCache<Int>()
        #expect(try await cache.lease { builds.next() }.value == 1)
        #expect(try await cache.lease { builds.next() }.value == 1)
        #expect(builds.value == 1)

        cache.drop()
        // A config write lands while this login builds: its services serve it, but are not kept.
        let raced = try await cache.lease {
            cache.drop()
            return builds.next()
        }
        #expect(raced.value == 2)
        #expect(try await cache.lease { builds.next() }.value == 3)
        #expect(try await cache.lease { builds.next() }.value == 3)
    }

    @Test func renewalIsRateLimitedSharedAndForgottenByADrop() async throws {
        let clock = HandClock()
        let cache = AzureServicesCache<Int>(renewalInterval: .seconds(30), now: { clock.now() })
        let lease = try await cache.lease { 10 }
        let renewals = Builds()
        let renewed = try await cache.renew(lease) { current in current + renewals.next() }
        #expect(renewed == 11)
        // A login still holding the old lease takes the renewed services instead of renewing again.
        #expect(
            try await cache.renew(lease) { _ in
                Issue.record("renewed twice"); return 0
            } == 11)
        #expect(renewals.value == 1)
        // A new rejection within the interval gets nothing; after it, a new renewal runs.
        let current = try await cache.lease { 0 }
        #expect(current.value == 11)
        #expect(try await cache.renew(current) { $0 + renewals.next() } == nil)
        clock.advance(.seconds(31))
        #expect(try await cache.renew(current) { $0 + renewals.next() } == 13)
        // After a config write, a lease from before it renews nothing.
        let stale = try await cache.lease { 0 }
        cache.drop()
        clock.advance(.seconds(31))
        #expect(try await cache.renew(stale) { $0 + renewals.next() } == nil)
        #expect(renewals.value == 2)
    }

    @Test func concurrentRejectionsWaitForOneRenewal() async throws {
        let cache = AzureServicesCache<Int>()
        let lease = try await cache.lease { 1 }
        let renewals = Builds()
        let results = try await withThrowingTaskGroup(of: Int?.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await cache.renew(lease) { current in
                        try await Task.sleep(for: .milliseconds(50))
                        return current + renewals.next()
                    }
                }
            }
            return try await group.reduce(into: [Int?]()) { $0.append($1) }
        }
        #expect(renewals.value == 1)
        #expect(results.allSatisfy { $0 == 2 })
    }

    @Test func decodedRolesAreCachedUntilAWriteAndAReadRacingAWriteIsNotKept() async throws {
        let roles = DecodedRoleCache<String>(capacity: 3)
        let loads = Builds()
        #expect(try await roles.value(for: "role/a") { "a\(loads.next())" } == "a1")
        #expect(try await roles.value(for: "role/a") { "a\(loads.next())" } == "a1")
        #expect(loads.value == 1)
        // A missing role is not cached.
        #expect(try await roles.value(for: "role/none") { nil } == nil)
        #expect(roles.count == 1)

        roles.forget()
        #expect(try await roles.value(for: "role/a") { "a\(loads.next())" } == "a2")
        // A write stores and forgets while this read decodes the old bytes: the old role must not stay cached.
        let raced = try await roles.value(for: "role/b") {
            roles.forget()
            return "b-old"
        }
        #expect(raced == "b-old")
        #expect(try await roles.value(for: "role/b") { "b-new" } == "b-new")
    }

    @Test func theRoleCacheStaysWithinItsCapacity() async throws {
        let roles = DecodedRoleCache<String>(capacity: 3)
        for name in ["a", "b", "c", "d", "e"] {
            _ = try await roles.value(for: "role/\(name)") { name }
            #expect(roles.count <= 3)
        }
        #expect(roles.count >= 1)
    }
}
