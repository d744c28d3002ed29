import Synchronization

/// A bounded LRU read cache in front of another ``PhysicalStorage``. It caches what the backend
/// returns — ciphertexts when it sits below the barrier — including misses.
///
/// Writes go to the backend first and then drop the cached entries, so a read never returns a value
/// older than the last acknowledged write. A read that raced with a write does not repopulate the
/// cache: each miss registers a ticket, and any invalidation of the key voids it.
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
        // Invalidate even when the write fails: it may have reached the backend before failing.
        defer { invalidate(key) }
        try await backend.put(key, value: value)
    }

    public func delete(_ key: String) async throws {
        defer { invalidate(key) }
        try await backend.delete(key)
    }

    public func list(prefix: String) async throws -> [String] {
        try await backend.list(prefix: prefix)
    }

    public func transaction(_ operations: [StorageOperation]) async throws {
        defer {
            state.withLock { state in
                for operation in operations {
                    switch operation {
                    case .put(let key, _), .delete(let key):
                        state.entries.remove(key)
                        state.tickets[key] = nil
                    }
                }
            }
        }
        try await backend.transaction(operations)
    }
}
