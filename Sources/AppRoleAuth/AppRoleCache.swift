import Synchronization

/// Roles already resolved by role id, for logins: every login resolves its role id to a role, and the mount's
/// backend is the only writer of roles, so every role write, role-id change and delete calls ``forget()`` after
/// storing; a lookup caches what it read only if no write happened meanwhile. Bounded: past `capacity` entries it
/// starts over. (The same scheme as the Azure method's decoded-role cache.)
///
/// ```swift
/// let cache = AppRoleCache()
/// let role = try await cache.role(forRoleID: roleID) { try await loadRole(roleID) }
/// try await storage.putJSON("role/ci", role); cache.forget()
/// ```
final class AppRoleCache: Sendable {
    private struct State {
        var generation: UInt64 = 0
        var roles: [String: AppRole] = [:]
    }

    private let state = Mutex(State())
    let capacity: Int

    init(capacity: Int = 1_000) { self.capacity = capacity }

    /// The cached role, or the one `load` reads (nil: no such role id, not cached).
    func role(forRoleID roleID: String, load: () async throws -> AppRole?) async throws -> AppRole? {
        let (generation, cached) = state.withLock { ($0.generation, $0.roles[roleID]) }
        if let cached { return cached }
        guard let role = try await load() else { return nil }
        state.withLock { state in
            guard state.generation == generation else { return }
            if state.roles.count >= capacity { state.roles.removeAll(keepingCapacity: true) }
            state.roles[roleID] = role
        }
        return role
    }

    /// Drops every cached role; lookups that began before this do not cache.
    func forget() {
        state.withLock { state in
            state.generation &+= 1
            state.roles.removeAll()
        }
    }
}
