import Synchronization

/// Roles already decoded, by storage key. Every login reads its role; the mount's backend is the only writer of its
/// roles, so each write or delete calls ``forget()`` after storing, and a read caches what it decoded only if no
/// write happened meanwhile. Bounded: past `capacity` entries it starts over.
///
/// ```swift
/// let roles = DecodedRoleCache<AzureRole>()
/// let role = try await roles.value(for: "role/dev") { try await decodeRole(storage, "role/dev") }
/// try await storage.put("role/dev", value: bytes); roles.forget()
/// ```
final class DecodedRoleCache<Role: Sendable>: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var roles: [String: Role] = [:]
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 1_000) { self.capacity = capacity }

    /// The cached role, or the one `load` decodes (nil: no such role, not cached).
    func value(for key: String, load: () async throws -> Role?) async throws -> Role? {
        let (generation, cached) = state.withLock { ($0.generation, $0.roles[key]) }
        if let cached { return cached }
        guard let role = try await load() else { return nil }
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.roles.count >= capacity { state.roles.removeAll(keepingCapacity: true) }
            state.roles[key] = role
        }
        return role
    }

    /// Drops every cached role; reads that began before this do not cache.
    func forget() {
        state.withLock { state in
            state.generation &+= 1
            state.roles.removeAll()
        }
    }

    var count: Int { state.withLock { $0.roles.count } }
}
