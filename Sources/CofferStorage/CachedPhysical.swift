import Synchronization

/// A bounded LRU read cache in front of another ``PhysicalStorage``. It caches what the backend
/// returns — ciphertexts when it sits below the barrier — including misses.
///
/// Writes go to the backend first; then a key that was cached when its write began takes the written
/// value (write-through, so a key read before each write — KV metadata, a limited-use token — is not read
/// back from the backend after every write), and any other written key is dropped. A write overlapping
/// another write of the same key never fills the cache: which one the backend committed last is unknown,
/// so both drop the key. A read never returns a value older than the last acknowledged write, and a read
/// that raced with a write does not repopulate the cache: each miss registers a ticket, and every write of
/// the key voids it.
///
/// ```swift
/// let cached = CachedPhysical(sqlite, capacity: 50_000)
/// let barrier = Barrier(physical: cached)
/// cached.invalidate("core/mounts")   // e.g. on an HA invalidation message
/// cached.purge()
/// ```
public final class CachedPhysical: PhysicalStorage {
    private struct State {
        var entries: LRUCache<String, [UInt8]?>
        /// Misses being fetched, by key, with the ticket that may store the result.
        var tickets: [String: UInt64] = [:]
        var nextTicket: UInt64 = 0
        /// Keys with writes in flight.
        var writes: [String: KeyWrites] = [:]
    }

    /// The writes in flight on one key, and whether any of them overlapped another.
    private struct KeyWrites {
        var count = 0
        var overlapped = false
    }

    public let backend: any PhysicalStorage
    private let state: Mutex<State>

    /// - Parameter capacity: maximum number of cached keys (values and misses).
    public init(_ backend: any PhysicalStorage, capacity: Int = 16_384) {
        self.backend = backend
        self.state = Mutex(State(entries: LRUCache(capacity: capacity)))
    }

    /// Number of keys currently cached.
    public var count: Int { state.withLock { $0.entries.count } }

    /// Drops the cached entry for `key` and voids in-flight reads of it.
    public func invalidate(_ key: String) {
        state.withLock { state in
            state.entries.remove(key)
            state.tickets[key] = nil
        }
    }

    /// Drops every cached entry and voids every in-flight read.
    public func purge() {
        state.withLock { state in
            state.entries.removeAll()
            state.tickets.removeAll()
        }
    }

    public func purgeCachedReads() {
        purge()
        backend.purgeCachedReads()
    }

    public func get(_ key: String) async throws -> [UInt8]? {
        enum Lookup { case hit([UInt8]?), miss(ticket: UInt64) }
        let lookup = state.withLock { state -> Lookup in
            if let cached = state.entries.get(key) { return .hit(cached) }
            state.nextTicket += 1
            state.tickets[key] = state.nextTicket
            return .miss(ticket: state.nextTicket)
        }
        switch lookup {
        case .hit(let value):
            return value
        case .miss(let ticket):
            let value = try await backend.get(key)
            state.withLock { state in
                guard state.tickets[key] == ticket else { return }
                state.tickets[key] = nil
                state.entries.set(key, value)
            }
            return value
        }
    }

    public func put(_ key: String, value: [UInt8]) async throws {
        try await write([.put(key: key, value: value)]) { try await backend.put(key, value: value) }
    }

    public func delete(_ key: String) async throws {
        try await write([.delete(key: key)]) { try await backend.delete(key) }
    }

    public func list(prefix: String) async throws -> [String] {
        try await backend.list(prefix: prefix)
    }

    public func transaction(_ operations: [StorageOperation]) async throws {
        try await write(operations) { try await backend.transaction(operations) }
    }

    /// Runs `body` (the backend write of `operations`) between registering its keys and settling the cache.
    private func write(_ operations: [StorageOperation], _ body: () async throws -> Void) async throws {
        var finalValues: [String: [UInt8]?] = [:]
        for operation in operations { finalValues[operation.key] = .some(operation.value) }
        let wasCached = begin(finalValues.keys)
        var succeeded = false
        // Settle even when the write fails: it may have reached the backend before failing.
        defer { finish(finalValues, wasCached: wasCached, succeeded: succeeded) }
        try await body()
        succeeded = true
    }

    /// Registers a write of `keys`; returns those cached now.
    private func begin(_ keys: Dictionary<String, [UInt8]?>.Keys) -> Set<String> {
        state.withLock { state in
            var cached: Set<String> = []
            for key in keys {
                if state.entries.contains(key) { cached.insert(key) }
                state.writes[key, default: KeyWrites()].count += 1
                if state.writes[key]?.count ?? 0 > 1 { state.writes[key]?.overlapped = true }
            }
            return cached
        }
    }

    private func finish(_ finalValues: [String: [UInt8]?], wasCached: Set<String>, succeeded: Bool) {
        state.withLock { state in
            for (key, value) in finalValues {
                state.tickets[key] = nil
                var writes = state.writes[key] ?? KeyWrites(count: 1)
                writes.count -= 1
                if succeeded, !writes.overlapped, writes.count == 0, wasCached.contains(key) {
                    state.entries.set(key, value)
                } else {
                    state.entries.remove(key)
                }
                state.writes[key] = writes.count > 0 ? writes : nil
            }
        }
    }
}
