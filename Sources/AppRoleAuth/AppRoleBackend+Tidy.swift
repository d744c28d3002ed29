import CofferFramework
import CofferStorage

extension AppRoleBackend {
    /// Deletes expired secret ids, secret ids of deleted roles and accessor entries whose secret id is gone.
    /// Each secret id is re-read under its lock, so tidy never races a login on the same id. Returns how many
    /// entries it removed.
    func tidy(_ storage: any Storage) async throws -> Int {
        let salt = try await salt(storage)
        var removed = 0
        for folder in try await storage.list(prefix: "secret_id/") where folder.hasSuffix("/") {
            let roleName = String(folder.dropLast())
            let roleExists = try await role(storage, roleName) != nil
            for hmac in try await storage.list(prefix: Self.secretIDPrefix(roleName)) where !hmac.hasSuffix("/") {
                let key = Self.secretIDPrefix(roleName) + hmac
                let now = now()
                let deleted = try await locks.withLock(key) { () async throws -> Bool in
                    guard let entry = try await storage.getJSON(AppRoleSecretID.self, key) else { return false }
                    guard !roleExists || entry.isExpired(at: now) else { return false }
                    try await storage.delete(Self.accessorPrefix(roleName) + salt.hmac(entry.accessor))
                    try await storage.delete(key)
                    return true
                }
                if deleted { removed += 1 }
            }
        }
        return removed + (try await tidyAccessors(storage))
    }

    /// Accessor entries left behind by an interrupted delete.
    func tidyAccessors(_ storage: any Storage) async throws -> Int {
        var removed = 0
        for folder in try await storage.list(prefix: "accessor/") where folder.hasSuffix("/") {
            let roleName = String(folder.dropLast())
            for key in try await storage.list(prefix: Self.accessorPrefix(roleName)) where !key.hasSuffix("/") {
                guard let index = try await storage.getJSON(AppRoleIndexEntry.self, Self.accessorPrefix(roleName) + key)
                else { continue }
                let secretKey = Self.secretIDPrefix(roleName) + index.target
                let dangling = try await locks.withLock(secretKey) { try await storage.get(secretKey) == nil }
                if dangling {
                    try await storage.delete(Self.accessorPrefix(roleName) + key)
                    removed += 1
                }
            }
        }
        return removed
    }
}
