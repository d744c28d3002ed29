import CofferStorage
import Synchronization

/// The lock of an HA cluster whose nodes all live in one test process: the lease, its epoch and its expiry kept in
/// memory, with the same rules as PostgreSQL's (docs/storage.md § HA lock): a live lease blocks every other
/// contender, each acquisition has a larger epoch, and only the holder at an epoch renews or releases it.
///
/// It does not fence `MemoryPhysical`'s writes (the PostgreSQL lock's fence is tested with PostgreSQL in
/// CofferStorageTests); it records the fence each node asked for.
///
/// ```swift
/// let table = MemoryHALockTable()
/// let lockA = table.lock(identity: "node-a", ttl: .seconds(3))
/// table.seize(value: "not an advertisement", ttl: .seconds(60))   // held by something that is not a node
/// ```
final class MemoryHALockTable: Sendable {
    struct Lease {
        var identity: String
        var value: String
        var epoch: Int64
        var expires: ContinuousClock.Instant
    }

    private let state = Mutex<(lease: Lease?, epoch: Int64, fences: [String: HAWriteFence])>((nil, 0, [:]))

    func lock(identity: String, ttl: Duration) -> MemoryHALock {
        MemoryHALock(table: self, identity: identity, ttl: ttl)
    }

    /// A contender outside the test's nodes takes the lock (whatever holds it), advertising `value`.
    func seize(value: String, ttl: Duration) {
        state.withLock { state in
            state.epoch += 1
            state.lease = Lease(identity: "outsider", value: value, epoch: state.epoch, expires: .now + ttl)
        }
    }

    /// The fence `identity` last asked for.
    func fence(of identity: String) -> HAWriteFence? {
        state.withLock { $0.fences[identity] }
    }

    func acquire(identity: String, value: String, ttl: Duration) -> Int64? {
        state.withLock { state in
            if let lease = state.lease, lease.expires > .now { return nil }
            state.epoch += 1
            state.lease = Lease(identity: identity, value: value, epoch: state.epoch, expires: .now + ttl)
            return state.epoch
        }
    }

    func renew(identity: String, epoch: Int64, ttl: Duration) -> Bool {
        state.withLock { state in
            guard var lease = state.lease, lease.identity == identity, lease.epoch == epoch, lease.expires > .now
            else { return false }
            lease.expires = .now + ttl
            state.lease = lease
            return true
        }
    }

    func release(identity: String, epoch: Int64) {
        state.withLock { state in
            if let lease = state.lease, lease.identity == identity, lease.epoch == epoch { state.lease = nil }
        }
    }

    func holder() -> HALockHolder? {
        state.withLock { state in
            guard let lease = state.lease, lease.expires > .now else { return nil }
            return HALockHolder(identity: lease.identity, value: lease.value, epoch: lease.epoch)
        }
    }

    func record(fence: HAWriteFence, identity: String) {
        state.withLock { $0.fences[identity] = fence }
    }
}
