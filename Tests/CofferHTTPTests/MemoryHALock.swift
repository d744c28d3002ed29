import CofferStorage

/// One node's handle on a ``MemoryHALockTable``.
///
/// ```swift
/// var configuration = CoreConfiguration()
/// configuration.ha = HAConfiguration(lock: table.lock(identity: "node-a", ttl: .seconds(3)), advertisement: …)
/// ```
struct MemoryHALock: HALock {
    let table: MemoryHALockTable
    let identity: String
    let ttl: Duration

    func acquire(value: String) async throws -> Int64? {
        table.acquire(identity: identity, value: value, ttl: ttl)
    }

    func renew(epoch: Int64) async throws -> Bool {
        table.renew(identity: identity, epoch: epoch, ttl: ttl)
    }

    func release(epoch: Int64) async throws {
        table.release(identity: identity, epoch: epoch)
    }

    func holder() async throws -> HALockHolder? {
        table.holder()
    }

    func fenceWrites(_ fence: HAWriteFence) {
        table.record(fence: fence, identity: identity)
    }

    /// Never called: this lock fences nothing, so no write is ever refused by it.
    func onFenced(_ handler: @escaping @Sendable () -> Void) {}
}
