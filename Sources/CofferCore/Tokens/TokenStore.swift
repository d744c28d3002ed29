import CofferFramework
import CofferStorage
import Crypto
import Foundation
import Synchronization

/// Persists tokens, keyed by salted HMAC-SHA256 of the token string, with accessor and parent
/// indexes; batch tokens are not persisted but carry their entry AES-GCM-encrypted inside the token.
///
/// Layout under the barrier: `sys/token/id/<hmac>`, `sys/token/accessor/<hmac of accessor>` → the token's hmac
/// and the accessor (so no accessor is readable from a storage key), `sys/token/parent/<parent hmac>/<child hmac>`,
/// `sys/token/mount/<mount accessor>/<hmac>` and the expiration index (``ExpiryIndexKey``, docs/expiration.md),
/// each written in the same transaction as the token it indexes.
///
/// Every change to one token (renewal, a use, revocation, re-parenting) runs under that token's lock and re-reads
/// the stored entry first, so no writer can put back an entry another one revoked or count a use twice. A child is
/// written first and its parent checked after (``create(_:id:)``), so creating children never waits on the parent.
///
/// New tokens come from ``TokenIssuer``, which builds the entry and calls ``create(_:id:)`` or
/// ``makeBatchToken(_:)``; everything else reads and changes them here.
///
/// ```swift
/// let store = try await TokenStore.load(storage: barrier)
/// let id = TokenStore.newServiceTokenID()
/// let stored = try await store.create(entry, id: id)           // entry.idHash is filled in
/// if let found = try await store.lookup(id: id, now: now) {    // nil once expired, revoked or spent
///     let renewed = try await store.modify(hash: found.idHash) { $0.ttl = 3600 }   // nil if revoked meanwhile
/// }
/// ```
public final class TokenStore: Sendable {
    let storage: StorageView
    let salt: SymmetricKey
    let batchKey: SymmetricKey
    /// Entries read or updated since they were created, least recently used evicted first (a miss costs one
    /// read). `generation` counts changes: a reader that missed caches what it read only if no token changed
    /// meanwhile, so a slow read can never put back an entry that was revoked or used after it.
    private struct EntryCache {
        var entries: LRUCache<String, TokenEntry>
        var generation: UInt64 = 0
    }
    private let cache: Mutex<EntryCache>
    /// Expiration buckets whose marker this process has committed (``expiryWrites(_:)``): a create leaves it out.
    let committedMarkers = Mutex<Set<Int64>>([])
    /// Default number of cached entries (``CoreConfiguration/tokenCacheSize``).
    public static let defaultCacheLimit = 32_768
    /// Serialises the changes to one token.
    let tokenLocks = KeyedAsyncLock()
    /// Whether expiries are written to the expiration index (off for in-memory storage; see
    /// ``CoreConfiguration/persistsExpirationIndex``).
    let indexesExpiry: Bool
    /// Whether an `auth/token/tidy` pass is running (one at a time, as in Vault).
    let tidyRunning = Mutex(false)
    /// Told about every expiring token so it can be revoked on time. Boxed in a class: a closure
    /// stored directly in a generic `Mutex` is re-abstracted on every `withLock` read-and-write-back,
    /// growing a chain of thunks that made each token creation slower than the last.
    /// `dropped` hears of an expiry that no longer applies (the token was renewed or revoked), so counts of
    /// expiring tokens stay right.
    final class ExpirationHandler: Sendable {
        let schedule: @Sendable (String, Double) -> Void
        let dropped: @Sendable (String, Double) -> Void
        init(
            _ schedule: @escaping @Sendable (String, Double) -> Void,
            dropped: @escaping @Sendable (String, Double) -> Void
        ) {
            self.schedule = schedule
            self.dropped = dropped
        }
    }
    let onExpiring = Mutex<ExpirationHandler?>(nil)
    /// Told about every revoked token (by hash) so what belongs to it elsewhere (its cubbyhole) goes with it.
    final class RevocationHandler: Sendable {
        let revoked: @Sendable (String) async throws -> Void
        init(_ revoked: @escaping @Sendable (String) async throws -> Void) { self.revoked = revoked }
    }
    let onRevoked = Mutex<RevocationHandler?>(nil)

    /// HMAC-SHA256 keyed with `salt`, before any data.
    private let keyedHMAC: HMAC<SHA256>

    init(
        storage: StorageView, salt: SymmetricKey, batchKey: SymmetricKey, cacheLimit: Int = defaultCacheLimit,
        indexesExpiry: Bool = true
    ) {
        self.storage = storage
        self.indexesExpiry = indexesExpiry
        self.salt = salt
        self.keyedHMAC = HMAC<SHA256>(key: salt)
        self.batchKey = batchKey
        self.cache = Mutex(EntryCache(entries: LRUCache(capacity: max(1, cacheLimit))))
    }

    /// Loads (or creates on first use) the token salt and batch-token key from `storage`, keeping at most
    /// `cacheLimit` entries in memory. Indexes written by earlier versions are migrated here, once each: a
    /// marker records each finished migration, so an unseal never lists every stored token again.
    public static func load(
        storage: any Storage, cacheLimit: Int = defaultCacheLimit, indexesExpiry: Bool = true
    ) async throws -> TokenStore {
        let view = StorageView(storage, prefix: "sys/token/")
        let salt = try await loadOrCreateKey(view, "salt")
        let batchKey = try await loadOrCreateKey(view, "batch-key")
        let store = TokenStore(
            storage: view, salt: salt, batchKey: batchKey, cacheLimit: cacheLimit, indexesExpiry: indexesExpiry)
        if try await view.get("accessor-index-version") == nil {
            try await store.migrateAccessorIndex()
            try await view.put("accessor-index-version", value: Array("2".utf8))
        }
        if indexesExpiry, try await view.get(Self.expiryIndexVersionKey) == nil {
            try await store.migrateExpiryIndex()
            try await view.put(Self.expiryIndexVersionKey, value: Array("1".utf8))
        }
        return store
    }

    static func loadOrCreateKey(_ storage: StorageView, _ name: String) async throws -> SymmetricKey {
        if let bytes = try await storage.get(name) { return SymmetricKey(data: bytes) }
        let key = SymmetricKey(size: .bits256)
        try await storage.put(name, value: key.withUnsafeBytes { Array($0) })
        return key
    }

    public func setRevocationHandler(_ handler: @escaping @Sendable (String) async throws -> Void) {
        let box = RevocationHandler(handler)
        onRevoked.withLock { $0 = box }
    }

    public func setExpirationHandler(
        _ handler: @escaping @Sendable (String, Double) -> Void,
        dropped: @escaping @Sendable (String, Double) -> Void = { _, _ in }
    ) {
        let box = ExpirationHandler(handler, dropped: dropped)
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

    /// Persists a new service token. `entry.idHash` is filled from `id`. A child is written first and its parent
    /// checked after: a revocation of the parent deletes the parent before it lists the children, so either it
    /// sees this child or this check sees the parent gone and revokes the child. No lock on the parent, so one
    /// parent's children are created in parallel.
    public func create(_ entry: TokenEntry, id: String) async throws -> TokenEntry {
        var entry = entry
        entry.idHash = hash(id)
        let stored = try await persistNew(entry)
        if let parent = entry.parentHash, try await storedEntry(hash: parent) == nil {
            try await revokeTree(hash: stored.idHash)
            throw LogicalError.invalidToken
        }
        return stored
    }

    private func persistNew(_ entry: TokenEntry) async throws -> TokenEntry {
        // Generated ids carry 143 random bits; only a caller-chosen id can collide.
        if entry.createdByID, try await storage.get("id/" + entry.idHash) != nil {
            throw LogicalError.badRequest("cannot create a token with a duplicate ID")
        }
        var operations: [StorageOperation] = [
            .put(key: "id/" + entry.idHash, value: try encode(entry)),
            .put(key: accessorKey(entry.accessor), value: accessorRecord(entry)),
        ]
        let member = TokenIndexMember(entry).name
        if let parent = entry.parentHash { operations.append(.put(key: "parent/\(parent)/\(member)", value: [])) }
        if let mount = entry.authMountAccessor { operations.append(.put(key: "mount/\(mount)/\(member)", value: [])) }
        operations += expiryWrites(entry)
        try await storage.transaction(operations)
        markersCommitted(in: operations)
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

    /// The live entry for a token string, or nil when unknown, revoked, expired, or a batch token whose parent
    /// is no longer live.
    public func lookup(id: String, now: Double) async throws -> TokenEntry? {
        if id.hasPrefix("hvb.") {
            guard let entry = openBatchToken(id), !entry.isExpired(now: now) else { return nil }
            if let parent = entry.parentHash, try await self.entry(hash: parent, now: now) == nil { return nil }
            return entry
        }
        return try await entry(hash: hash(id), now: now)
    }

    /// The live entry under `hash`: nil when unknown, expired, or its last use is already spent.
    public func entry(hash: String, now: Double) async throws -> TokenEntry? {
        guard let entry = try await storedEntry(hash: hash) else { return nil }
        return entry.isExpired(now: now) || entry.numUses < 0 ? nil : entry
    }

    /// The stored entry regardless of expiry.
    public func storedEntry(hash: String) async throws -> TokenEntry? {
        let (cached, generation) = cache.withLock { ($0.entries.get(hash), $0.generation) }
        if let cached { return cached }
        guard let bytes = try await storage.get("id/" + hash) else { return nil }
        let entry = try decode(bytes, hash: hash)
        cache.withLock { cache in
            guard cache.generation == generation else { return }
            cache.entries.set(hash, entry)
        }
        return entry
    }

    public func lookup(accessor: String, now: Double) async throws -> TokenEntry? {
        guard let hash = try await tokenHash(accessor: accessor) else { return nil }
        return try await entry(hash: hash, now: now)
    }

    /// Applies `change` to the token's current stored entry under its lock and persists the result.
    /// Returns nil, writing nothing, when the token is gone or its last use is spent.
    public func modify(hash: String, _ change: (inout TokenEntry) throws -> Void) async throws -> TokenEntry? {
        try await tokenLocks.withLock(hash) {
            guard var entry = try await storedEntry(hash: hash), entry.numUses >= 0 else { return nil }
            let previous = entry.expireTime
            let before = ExpiryIndexKey(entry)
            try change(&entry)
            var operations: [StorageOperation] = [.put(key: "id/" + hash, value: try encode(entry))]
            let moved = ExpiryIndexKey(entry) != before
            if moved, indexesExpiry {
                // A renewal moves the token's expiration index entry with it, atomically.
                if let before { operations.append(.delete(key: before.key)) }
                operations += expiryWrites(entry)
            }
            try await storage.transaction(operations)
            markersCommitted(in: operations)
            replaceCached(hash, with: entry)
            if moved, let handler = onExpiring.withLock({ $0 }) {
                if let previous { handler.dropped(hash, previous) }
                if let expireTime = entry.expireTime { handler.schedule(hash, expireTime) }
            }
            return entry
        }
    }

    /// Counts one use of a limited-use token. Returns the entry to authorise this request with and whether the
    /// request was its last use (the caller then revokes it once the request is done), or nil when no uses are
    /// left. The last use marks the stored entry spent (`numUses` -1), so no other request, even after a
    /// restart, is served with it.
    public func use(_ entry: TokenEntry) async throws -> (entry: TokenEntry, lastUse: Bool)? {
        // A token's use limit never grows from 0, so an unlimited entry needs no locked re-read.
        guard entry.numUses != 0, !entry.isBatch else { return (entry, false) }
        var lastUse = false
        let counted = try await modify(hash: entry.idHash) { current in
            lastUse = current.numUses == 1
            current.numUses = lastUse ? -1 : current.numUses - 1
        }
        guard counted != nil else { return nil }
        return (entry, lastUse)
    }

    /// Revokes a token whose last use has been served.
    public func finishLastUse(_ entry: TokenEntry) async throws {
        try await revokeTree(hash: entry.idHash)
    }

    // MARK: revocation

    /// Revokes a token and all its descendants, children first so a crash midway never leaves a live
    /// descendant of a revoked token.
    public func revokeTree(hash: String) async throws {
        var pending = [hash]
        while let root = pending.popLast() {
            var stack = [root]
            var order: [String] = []
            while let current = stack.popLast() {
                order.append(current)
                stack += try await children(of: current).map(\.hash)
            }
            for current in order.reversed() {
                // A child created while this ran is caught here: it is indexed before its parent is gone.
                pending += try await revokeOne(hash: current)
            }
        }
    }

    /// Revokes only this token; its children become orphans.
    public func revokeOrphan(hash: String) async throws {
        for child in try await children(of: hash) {
            _ = try await tokenLocks.withLock(child.hash) { () -> Bool in
                guard var entry = try await storedEntry(hash: child.hash) else { return false }
                entry.parentHash = nil
                try await storage.transaction([
                    .put(key: "id/" + child.hash, value: try encode(entry)),
                    .delete(key: "parent/\(hash)/\(child.name)"),
                ])
                replaceCached(child.hash, with: entry)
                return true
            }
        }
        let leftovers = try await revokeOne(hash: hash)
        for child in leftovers { try await revokeTree(hash: child) }
    }

    /// Deletes one token and its index entries under its lock; returns children still indexed under it, which
    /// the caller revokes too. The children are listed only after the token is gone (from storage and cache), so
    /// a child created concurrently is either listed here or sees its parent gone (``create(_:id:)``).
    func revokeOne(hash: String) async throws -> [String] {
        try await tokenLocks.withLock(hash) {
            if let entry = try await storedEntry(hash: hash) {
                var operations: [StorageOperation] = [
                    .delete(key: "id/" + hash), .delete(key: accessorKey(entry.accessor)),
                ]
                for name in TokenIndexMember.names(of: entry) {
                    if let parent = entry.parentHash { operations.append(.delete(key: "parent/\(parent)/\(name)")) }
                    if let mount = entry.authMountAccessor { operations.append(.delete(key: "mount/\(mount)/\(name)")) }
                }
                if indexesExpiry, let index = ExpiryIndexKey(entry) { operations.append(.delete(key: index.key)) }
                try await storage.transaction(operations)
                replaceCached(hash, with: nil)
                if let expireTime = entry.expireTime, let handler = onExpiring.withLock({ $0 }) {
                    handler.dropped(hash, expireTime)
                }
                try await onRevoked.withLock({ $0 })?.revoked(hash)
            } else {
                replaceCached(hash, with: nil)
            }
            let leftovers = try await children(of: hash)
            for leftover in leftovers where try await storedEntry(hash: leftover.hash) == nil {
                try await storage.delete("parent/\(hash)/\(leftover.name)")  // an index entry without its token
            }
            return leftovers.map(\.hash)
        }
    }

    func children(of hash: String) async throws -> [TokenIndexMember] {
        try await storage.list(prefix: "parent/\(hash)/").compactMap(TokenIndexMember.init(listed:))
    }

    /// Revokes every token a (disabled) auth mount issued, with their descendants.
    public func revokeAll(issuedByMount accessor: String) async throws {
        for member in try await storage.list(prefix: "mount/\(accessor)/").compactMap(TokenIndexMember.init(listed:)) {
            try await revokeTree(hash: member.hash)
        }
    }

    // MARK: listing

    /// Calls `body` with every stored token entry, for whole-store counts (the usage gauges). It reads past the
    /// entry cache, so a count over a million tokens does not evict the ones requests use, and it lists one hex
    /// digit of hashes at a time (entries are stored under their hash), so no listing of the whole store is ever
    /// held in memory.
    public func forEachStoredEntry(_ body: (TokenEntry) -> Void) async throws {
        for digit in "0123456789abcdef" {
            let shard = "id/" + String(digit)
            for rest in try await storage.list(prefix: shard) where !rest.hasSuffix("/") {
                guard let bytes = try await storage.get(shard + rest) else { continue }
                body(try decode(bytes, hash: String(digit) + rest))
            }
            await Task.yield()
        }
    }

    /// Every accessor with a stored index entry, as `(accessor, token hash)`.
    public func accessorEntries() async throws -> [(accessor: String, tokenHash: String)] {
        var result: [(String, String)] = []
        for key in try await storage.list(prefix: "accessor/") where !key.hasSuffix("/") {
            guard let bytes = try await storage.get("accessor/" + key), let record = Self.accessorRecord(bytes)
            else { continue }
            result.append(record)
        }
        return result
    }

    // MARK: accessor index

    /// The storage key of an accessor's index entry: its salted HMAC, so the storage file shows no accessor.
    func accessorKey(_ accessor: String) -> String { "accessor/" + hash("accessor:" + accessor) }

    private func accessorRecord(_ entry: TokenEntry) -> [UInt8] {
        JSONValue.object(["token": .string(entry.idHash), "accessor": .string(entry.accessor)]).serialized()
    }

    static func accessorRecord(_ bytes: [UInt8]) -> (accessor: String, tokenHash: String)? {
        guard let object = (try? JSONParser.parse(bytes))?.objectValue,
            let accessor = object["accessor"]?.stringValue, let token = object["token"]?.stringValue
        else { return nil }
        return (accessor, token)
    }

    func tokenHash(accessor: String) async throws -> String? {
        guard !accessor.isEmpty, let bytes = try await storage.get(accessorKey(accessor)),
            let record = Self.accessorRecord(bytes), record.accessor == accessor
        else { return nil }
        return record.tokenHash
    }

    /// Moves accessor index entries written by earlier versions (keyed by the plain accessor) to salted keys.
    func migrateAccessorIndex() async throws {
        for key in try await storage.list(prefix: "accessor/") where !key.hasSuffix("/") {
            guard let bytes = try await storage.get("accessor/" + key), Self.accessorRecord(bytes) == nil else {
                continue
            }
            let tokenHash = String(decoding: bytes, as: UTF8.self)
            let record = JSONValue.object(["token": .string(tokenHash), "accessor": .string(key)]).serialized()
            try await storage.transaction([
                .put(key: accessorKey(key), value: record), .delete(key: "accessor/" + key),
            ])
        }
    }

    // MARK: helpers

    /// Entries held in memory now (at most the configured cache size).
    public var cachedEntryCount: Int { cache.withLock { $0.entries.count } }

    /// Records a change made under the token's lock; bumps the generation so concurrent readers do not cache
    /// what they read before it.
    func replaceCached(_ hash: String, with entry: TokenEntry?) {
        cache.withLock { cache in
            cache.generation &+= 1
            if let entry {
                cache.entries.set(hash, entry)
            } else {
                cache.entries.remove(hash)
            }
        }
    }

    func encode(_ entry: TokenEntry) throws -> [UInt8] { entry.json() }

    /// `hash`: the storage key the entry was read from, which the stored form leaves out; nil for a batch token.
    func decode(_ bytes: [UInt8], hash: String? = nil) throws -> TokenEntry {
        var entry = try TokenEntry(json: try JSONParser.parse(bytes))
        if let hash { entry.idHash = hash }
        return entry
    }
}
