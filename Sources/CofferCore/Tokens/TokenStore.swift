import CofferFramework
import CofferStorage
import Crypto
import Foundation
import Synchronization

/// Persists tokens, keyed by salted HMAC-SHA256 of the token string, with accessor and parent
/// indexes; batch tokens are not persisted but carry their entry AES-GCM-encrypted inside the token.
///
/// Layout under the barrier: `sys/token/id/<hmac>`, `sys/token/accessor/<accessor>` → hmac,
/// `sys/token/parent/<parent hmac>/<child hmac>`.
///
/// ```swift
/// let store = try await TokenStore.load(storage: barrier)
/// let (id, entry) = try await store.create(entry)
/// let found = try await store.lookup(id: id, now: now)
/// ```
public final class TokenStore: Sendable {
    let storage: StorageView
    let salt: SymmetricKey
    let batchKey: SymmetricKey
    // Entries read or updated since they were created; bounded by clearing when full (a miss costs one read).
    private let cache = Mutex<[String: TokenEntry]>([:])
    private static let cacheLimit = 100_000
    private let lastUses = Mutex<Set<String>>([])
    /// Told about every expiring token so it can be revoked on time. Boxed in a class: a closure
    /// stored directly in a generic `Mutex` is re-abstracted on every `withLock` read-and-write-back,
    /// growing a chain of thunks that made each token creation slower than the last.
    final class ExpirationHandler: Sendable {
        let schedule: @Sendable (String, Double) -> Void
        init(_ schedule: @escaping @Sendable (String, Double) -> Void) { self.schedule = schedule }
    }
    let onExpiring = Mutex<ExpirationHandler?>(nil)

    /// HMAC-SHA256 keyed with `salt`, before any data.
    private let keyedHMAC: HMAC<SHA256>

    init(storage: StorageView, salt: SymmetricKey, batchKey: SymmetricKey) {
        self.storage = storage
        self.salt = salt
        self.keyedHMAC = HMAC<SHA256>(key: salt)
        self.batchKey = batchKey
    }

    /// Loads (or creates on first use) the token salt and batch-token key from `storage`.
    public static func load(storage: any Storage) async throws -> TokenStore {
        let view = StorageView(storage, prefix: "sys/token/")
        let salt = try await loadOrCreateKey(view, "salt")
        let batchKey = try await loadOrCreateKey(view, "batch-key")
        return TokenStore(storage: view, salt: salt, batchKey: batchKey)
    }

    static func loadOrCreateKey(_ storage: StorageView, _ name: String) async throws -> SymmetricKey {
        if let bytes = try await storage.get(name) { return SymmetricKey(data: bytes) }
        let key = SymmetricKey(size: .bits256)
        try await storage.put(name, value: key.withUnsafeBytes { Array($0) })
        return key
    }

    public func setExpirationHandler(_ handler: @escaping @Sendable (String, Double) -> Void) {
        let box = ExpirationHandler(handler)
        onExpiring.withLock { $0 = box }
    }

    // MARK: identifiers

    static let base62 = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)

    /// Uniform base62 characters from the system CSPRNG, with rejection sampling so no character is
    /// more likely than another.
    static func randomBase62(_ count: Int) -> String {
        String(unsafeUninitializedCapacity: count) { output in
            var written = 0
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: count + 8) { random in
                while written < count {
                    SecureRandom.fill(UnsafeMutableRawBufferPointer(random))
                    for byte in random where byte < 248 && written < count {
                        output[written] = base62[Int(byte % 62)]
                        written += 1
                    }
                }
                random.initialize(repeating: 0)
            }
            return count
        }
    }

    /// A new service token string: `hvs.` + 24 base62 characters (≈143 bits).
    public static func newServiceTokenID() -> String { "hvs." + randomBase62(24) }
    public static func newAccessor() -> String { randomBase62(24) }

    /// The salted HMAC under which a token is stored.
    public func hash(_ id: String) -> String {
        // A copy of the keyed state: the key's pads are hashed once per store rather than once per token.
        var mac = keyedHMAC
        mac.update(data: Array(id.utf8))
        return Hex.encode(Array(mac.finalize()))
    }

    // MARK: create / read / update

    /// Persists a new service token. `entry.idHash` is filled from `id`.
    public func create(_ entry: TokenEntry, id: String) async throws -> TokenEntry {
        var entry = entry
        entry.idHash = hash(id)
        // Generated ids carry 143 random bits; only a caller-chosen id can collide.
        if entry.createdByID, try await storage.get("id/" + entry.idHash) != nil {
            throw LogicalError.badRequest("cannot create a token with a duplicate ID")
        }
        var operations: [StorageOperation] = [
            .put(key: "id/" + entry.idHash, value: try encode(entry)),
            .put(key: "accessor/" + entry.accessor, value: Array(entry.idHash.utf8)),
        ]
        if let parent = entry.parentHash {
            operations.append(.put(key: "parent/\(parent)/\(entry.idHash)", value: []))
        }
        if let mount = entry.authMountAccessor {
            operations.append(.put(key: "mount/\(mount)/\(entry.idHash)", value: []))
        }
        try await storage.transaction(operations)
        // Not cached until first read: most logins' tokens are used a few times or never, and caching every
        // new entry doubled the memory each token holds.
        if let expireTime = entry.expireTime, let handler = onExpiring.withLock({ $0 }) {
            handler.schedule(entry.idHash, expireTime)
        }
        return entry
    }

    /// Encrypts a batch token's entry into the token string itself.
    public func makeBatchToken(_ entry: TokenEntry) throws -> String {
        var entry = entry
        entry.idHash = ""
        let sealed = try AES.GCM.seal(try encode(entry), using: batchKey, authenticating: Array("batch-token".utf8))
        guard let combined = sealed.combined else { throw LogicalError.internalError }
        return "hvb." + Base64URL.encode(combined)
    }

    func openBatchToken(_ id: String) -> TokenEntry? {
        guard let data = Base64URL.decode(String(id.dropFirst(4))),
            let box = try? AES.GCM.SealedBox(combined: data),
            let plain = try? AES.GCM.open(box, using: batchKey, authenticating: Array("batch-token".utf8)),
            var entry = try? decode(Array(plain))
        else { return nil }
        entry.idHash = hash(id)
        return entry
    }

    /// The live entry for a token string, or nil when unknown, revoked or expired.
    public func lookup(id: String, now: Double) async throws -> TokenEntry? {
        if id.hasPrefix("hvb.") {
            guard let entry = openBatchToken(id), !entry.isExpired(now: now) else { return nil }
            return entry
        }
        return try await entry(hash: hash(id), now: now)
    }

    public func entry(hash: String, now: Double) async throws -> TokenEntry? {
        guard let entry = try await storedEntry(hash: hash) else { return nil }
        return entry.isExpired(now: now) ? nil : entry
    }

    /// The stored entry regardless of expiry.
    public func storedEntry(hash: String) async throws -> TokenEntry? {
        if let cached = cache.withLock({ $0[hash] }) { return cached }
        guard let bytes = try await storage.get("id/" + hash) else { return nil }
        let entry = try decode(bytes)
        remember(entry)
        return entry
    }

    public func lookup(accessor: String, now: Double) async throws -> TokenEntry? {
        guard !accessor.isEmpty, !accessor.contains("/"),
            let hashBytes = try await storage.get("accessor/" + accessor)
        else { return nil }
        return try await entry(hash: String(decoding: hashBytes, as: UTF8.self), now: now)
    }

    public func update(_ entry: TokenEntry) async throws {
        try await storage.put("id/" + entry.idHash, value: try encode(entry))
        remember(entry)
        if let expireTime = entry.expireTime, let handler = onExpiring.withLock({ $0 }) {
            handler.schedule(entry.idHash, expireTime)
        }
    }

    /// Counts one use of a limited-use token. Returns the entry to authorise this request with
    /// and whether the request was its last use (the caller then revokes it once the request is
    /// done), or nil when no uses are left.
    public func use(_ entry: TokenEntry) async throws -> (entry: TokenEntry, lastUse: Bool)? {
        guard entry.numUses > 0, !entry.isBatch else { return (entry, false) }
        if entry.numUses == 1 {
            // The last use: claim it, so a concurrent request with the same token is refused.
            let claimed = lastUses.withLock { $0.insert(entry.idHash).inserted }
            return claimed ? (entry, true) : nil
        }
        var updated = entry
        updated.numUses -= 1
        try await storage.put("id/" + entry.idHash, value: try encode(updated))
        remember(updated)
        return (entry, false)
    }

    /// Revokes a token whose last use has been served.
    public func finishLastUse(_ entry: TokenEntry) async throws {
        try await revokeTree(hash: entry.idHash)
        lastUses.withLock { _ = $0.remove(entry.idHash) }
    }

    // MARK: revocation

    /// Revokes a token and all its descendants.
    public func revokeTree(hash: String) async throws {
        var stack = [hash]
        var order: [String] = []
        while let current = stack.popLast() {
            order.append(current)
            for child in try await storage.list(prefix: "parent/\(current)/") where !child.hasSuffix("/") {
                stack.append(child)
            }
        }
        // Children first, so a crash midway never leaves an orphaned descendant of a revoked token.
        for current in order.reversed() {
            try await revokeOne(hash: current)
        }
    }

    /// Revokes only this token; its children become orphans.
    public func revokeOrphan(hash: String) async throws {
        for child in try await storage.list(prefix: "parent/\(hash)/") where !child.hasSuffix("/") {
            if var entry = try await storedEntry(hash: child) {
                entry.parentHash = nil
                try await storage.transaction([
                    .put(key: "id/" + child, value: try encode(entry)), .delete(key: "parent/\(hash)/\(child)"),
                ])
                remember(entry)
            }
        }
        try await revokeOne(hash: hash)
    }

    func revokeOne(hash: String) async throws {
        guard let entry = try await storedEntry(hash: hash) else {
            cache.withLock { _ = $0.removeValue(forKey: hash) }
            return
        }
        var operations: [StorageOperation] = [.delete(key: "id/" + hash), .delete(key: "accessor/" + entry.accessor)]
        if let parent = entry.parentHash { operations.append(.delete(key: "parent/\(parent)/\(hash)")) }
        if let mount = entry.authMountAccessor { operations.append(.delete(key: "mount/\(mount)/\(hash)")) }
        for leftover in try await storage.list(prefix: "parent/\(hash)/") where !leftover.hasSuffix("/") {
            operations.append(.delete(key: "parent/\(hash)/\(leftover)"))
        }
        try await storage.transaction(operations)
        cache.withLock { _ = $0.removeValue(forKey: hash) }
    }

    /// Revokes every token a (disabled) auth mount issued, with their descendants.
    public func revokeAll(issuedByMount accessor: String) async throws {
        for hash in try await storage.list(prefix: "mount/\(accessor)/") where !hash.hasSuffix("/") {
            try await revokeTree(hash: hash)
        }
    }

    // MARK: listing

    public func accessors() async throws -> [String] { try await storage.list(prefix: "accessor/") }

    /// (hash, expireTime) of every expiring token: loaded once at unseal by the expiration manager.
    public func expiringTokens() async throws -> [(String, Double)] {
        var result: [(String, Double)] = []
        for hash in try await storage.list(prefix: "id/") where !hash.hasSuffix("/") {
            if let entry = try await storedEntry(hash: hash), let expireTime = entry.expireTime {
                result.append((hash, expireTime))
            }
        }
        return result
    }

    // MARK: helpers

    private func remember(_ entry: TokenEntry) {
        cache.withLock {
            if $0.count >= Self.cacheLimit { $0.removeAll(keepingCapacity: true) }
            $0[entry.idHash] = entry
        }
    }

    func encode(_ entry: TokenEntry) throws -> [UInt8] { entry.json() }

    func decode(_ bytes: [UInt8]) throws -> TokenEntry { try TokenEntry(json: try JSONParser.parse(bytes)) }
}
