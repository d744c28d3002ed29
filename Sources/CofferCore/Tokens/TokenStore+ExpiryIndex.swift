import CofferFramework
import CofferStorage

/// The persisted expiration index (``ExpiryIndexKey``, docs/expiration.md): written with each token, read a
/// bucket at a time by the ``ExpirationManager``.
extension TokenStore {
    /// Records that the expiration index is maintained: stores written before it are indexed once at load.
    static let expiryIndexVersionKey = "expiry-index-version"
    /// Writes read or revoked together in one storage step, so no pass holds many tokens at once.
    static let indexBatchSize = 256

    /// The index entry and bucket marker a token's expiry needs (none for a token that never expires). The
    /// marker is left out once this process has committed it (``markersCommitted(in:)``): it is one key per
    /// minute, and re-sealing and re-writing it with every login cost as much as the entry itself.
    func expiryWrites(_ entry: TokenEntry) -> [StorageOperation] {
        guard indexesExpiry, let index = ExpiryIndexKey(entry) else { return [] }
        guard !committedMarkers.withLock({ $0.contains(index.bucket) }) else {
            return [.put(key: index.key, value: [])]
        }
        return [.put(key: index.key, value: []), .put(key: index.markerKey, value: [])]
    }

    /// Records, once `operations` committed, the bucket markers they stored.
    func markersCommitted(in operations: [StorageOperation]) {
        let buckets = operations.compactMap { operation -> Int64? in
            guard case .put(let key, _) = operation, key.hasPrefix(ExpiryIndexKey.markerPrefix) else { return nil }
            return ExpiryIndexKey.bucket(named: String(key.dropFirst(ExpiryIndexKey.markerPrefix.count)))
        }
        guard !buckets.isEmpty else { return }
        committedMarkers.withLock { $0.formUnion(buckets) }
    }

    /// Every bucket with a marker: one key per bucket, however many tokens it holds.
    func expiryBuckets() async throws -> [Int64] {
        try await storage.list(prefix: ExpiryIndexKey.markerPrefix).compactMap { ExpiryIndexKey.bucket(named: $0) }
    }

    /// The index entries stored in one bucket, in expiry order.
    func expiryIndex(bucket: Int64) async throws -> [ExpiryIndexKey] {
        try await storage.list(prefix: ExpiryIndexKey.folder(bucket)).compactMap {
            ExpiryIndexKey(bucket: bucket, leaf: $0)
        }
    }

    /// Forgets the marker first, so a token created meanwhile writes it again.
    func deleteExpiryMarker(bucket: Int64) async throws {
        committedMarkers.withLock { _ = $0.remove(bucket) }
        try await storage.delete(ExpiryIndexKey.markerKey(bucket))
    }

    /// What became of one stored index entry that is due.
    enum ExpirySettlement: Equatable {
        /// Revoked now, or already gone (its dangling entry deleted): nothing remains for this entry.
        case settled
        /// The token is live and its expiry is this entry's: not yet due (the clock went back).
        case notDue(Double)
    }

    /// Settles an index entry whose time has come: revokes its token when the token has expired, deletes the
    /// entry when its token is gone or was renewed (its own entry moved to another bucket).
    func settle(_ index: ExpiryIndexKey, now: Double) async throws -> ExpirySettlement {
        guard let entry = try await storedEntry(hash: index.hash) else {
            try await storage.delete(index.key)
            return .settled
        }
        guard ExpiryIndexKey(entry) == index else {
            try await storage.delete(index.key)
            return .settled
        }
        if let expireTime = entry.expireTime, expireTime > now { return .notDue(expireTime) }
        try await revokeTree(hash: index.hash)
        return .settled
    }

    /// Indexes every stored token's expiry: runs once, for a store written before the index existed.
    func migrateExpiryIndex() async throws {
        let hashes = try await storage.list(prefix: "id/").filter { !$0.hasSuffix("/") }
        var start = 0
        while start < hashes.count {
            let end = min(start + Self.indexBatchSize, hashes.count)
            var operations: [StorageOperation] = []
            var markers: Set<String> = []
            for hash in hashes[start..<end] {
                guard let bytes = try await storage.get("id/" + hash), let entry = try? decode(bytes, hash: hash) else {
                    continue
                }
                guard let index = ExpiryIndexKey(entry) else { continue }
                operations.append(.put(key: index.key, value: []))
                if markers.insert(index.markerKey).inserted { operations.append(.put(key: index.markerKey, value: [])) }
            }
            if !operations.isEmpty { try await storage.transaction(operations) }
            start = end
        }
    }
}
