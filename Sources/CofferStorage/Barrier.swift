import Crypto
import Foundation
import Synchronization

/// The encryption barrier: the ``Storage`` every backend and the core see, encrypting each value
/// with AES-256-GCM before it reaches the ``PhysicalStorage`` below.
///
/// The key given to ``initialize(sealKey:alongside:)`` and ``unseal(sealKey:)`` is the *root key*
/// (docs/seal.md § Key hierarchy): it only unlocks the keyring at `core/keyring`, which holds the data keys by
/// term. The seal in CofferCore stores the root key wrapped under the unseal key (Shamir or static) beside it,
/// at the ``SealStoragePaths``, which the barrier's own `Storage` API refuses to touch.
///
/// ```swift
/// let barrier = Barrier(physical: physical)
/// if try await !barrier.isInitialized() {
///     try await barrier.initialize(sealKey: sealKey)   // leaves it unsealed
/// } else {
///     try await barrier.unseal(sealKey: sealKey)
/// }
/// try await barrier.put("core/mounts", value: bytes)
/// let term = try await barrier.rotate()
/// barrier.seal()
/// ```
public final class Barrier: Storage, Sendable {
    private struct Unsealed: Sendable {
        var keyring: Keyring
        /// Kept while unsealed so a rotation can persist the grown keyring.
        let sealKey: SymmetricKey
    }

    private let physical: any PhysicalStorage
    /// `nil` while sealed. Only key lookups happen under the lock; the AES work runs outside it.
    private let state = Mutex<Unsealed?>(nil)
    /// Serialises initialise/unseal/rotate so two rotations can never persist keyrings out of order.
    private let keyringLock = AsyncLock()

    public init(physical: any PhysicalStorage) {
        self.physical = physical
    }

    // MARK: Seal lifecycle

    public var isSealed: Bool { state.withLock { $0 == nil } }

    /// The storage below the barrier, for the seal's plaintext and self-encrypted records.
    package var physicalStorage: any PhysicalStorage { physical }

    /// The root key while unsealed, so the seal can re-wrap it under a new unseal key (rekey).
    package func rootKey() throws -> SymmetricKey {
        guard let key = state.withLock({ $0?.sealKey }) else { throw StorageError.sealed }
        return key
    }

    public func isInitialized() async throws -> Bool {
        try await physical.get(Keyring.path) != nil
    }

    /// Creates the keyring (term 1), stores it encrypted with `sealKey` and leaves the barrier unsealed.
    /// `alongside` are physical writes (the seal's records) made in the same transaction as the keyring.
    public func initialize(sealKey: SymmetricKey, alongside: [StorageOperation] = []) async throws {
        try Self.checkSize(sealKey)
        try await keyringLock.withLock {
            guard try await self.physical.get(Keyring.path) == nil else {
                throw StorageError.backend("the barrier is already initialized")
            }
            let keyring = Keyring.initial(now: Date())
            let blob = try keyring.sealed(with: sealKey)
            if alongside.isEmpty {
                try await self.physical.put(Keyring.path, value: blob)
            } else {
                try await self.physical.transaction([.put(key: Keyring.path, value: blob)] + alongside)
            }
            self.state.withLock { $0 = Unsealed(keyring: keyring, sealKey: sealKey) }
        }
    }

    /// Loads the keyring with `sealKey`. Unsealing an unsealed barrier succeeds without re-reading.
    public func unseal(sealKey: SymmetricKey) async throws {
        try Self.checkSize(sealKey)
        try await keyringLock.withLock {
            guard self.isSealed else { return }
            guard let blob = try await self.physical.get(Keyring.path) else {
                throw StorageError.backend("the barrier is not initialized")
            }
            let keyring = try Keyring.unsealed(blob, with: sealKey)
            self.state.withLock { $0 = Unsealed(keyring: keyring, sealKey: sealKey) }
        }
    }

    /// Forgets values cached below the barrier: a node that is not the store's writer (an HA standby) reads what
    /// another node wrote.
    public func purgeCachedReads() {
        physical.purgeCachedReads()
    }

    /// Reads the keyring again with the root key it holds: an HA node that becomes active picks up the terms the
    /// previous active node added (`sys/rotate`) while this one was a standby. Also drops cached reads below.
    public func reloadKeyring() async throws {
        try await keyringLock.withLock {
            guard let current = self.state.withLock({ $0 }) else { throw StorageError.sealed }
            self.physical.purgeCachedReads()
            guard let blob = try await self.physical.get(Keyring.path) else {
                throw StorageError.backend("the barrier is not initialized")
            }
            let keyring = try Keyring.unsealed(blob, with: current.sealKey)
            self.state.withLock { state in
                if state != nil { state = Unsealed(keyring: keyring, sealKey: current.sealKey) }
            }
        }
    }

    /// Forgets every key; all storage calls throw ``StorageError/sealed`` until the next unseal.
    public func seal() {
        state.withLock { $0 = nil }
    }

    /// Adds a new key term, persists the keyring, then uses the new term for every later write.
    public func rotate() async throws -> UInt32 {
        try await keyringLock.withLock {
            guard let current = self.state.withLock({ $0 }) else { throw StorageError.sealed }
            let rotated = current.keyring.rotated(now: Date())
            // Persist first: no value may be written under a term the stored keyring lacks.
            try await self.physical.put(Keyring.path, value: try rotated.sealed(with: current.sealKey))
            self.state.withLock { state in
                if state != nil { state = Unsealed(keyring: rotated, sealKey: current.sealKey) }
            }
            return rotated.activeTerm
        }
    }

    /// The active term and when it was installed; `(0, .distantPast)` while sealed.
    public func keyStatus() -> (term: UInt32, installTime: Date) {
        state.withLock { state in
            guard let keyring = state?.keyring else { return (0, .distantPast) }
            return (keyring.activeTerm, keyring.active.installTime)
        }
    }

    // MARK: Storage

    public func get(_ key: String) async throws -> [UInt8]? {
        try Self.checkNotReserved(key)
        _ = try activeKey()  // fail while sealed even when the key is absent
        guard let blob = try await physical.get(key) else { return nil }
        return try open(blob, path: key)
    }

    public func put(_ key: String, value: [UInt8]) async throws {
        try await physical.put(key, value: try seal(value, path: key))
    }

    public func delete(_ key: String) async throws {
        try Self.checkNotReserved(key)
        _ = try activeKey()
        try await physical.delete(key)
    }

    public func list(prefix: String) async throws -> [String] {
        _ = try activeKey()
        return try await physical.list(prefix: prefix)
    }

    public func transaction(_ operations: [StorageOperation]) async throws {
        guard !operations.isEmpty else { return try await physical.transaction(operations) }
        for operation in operations {
            switch operation {
            case .put(let path, _), .delete(let path): try Self.checkNotReserved(path)
            }
        }
        // One key lookup for the whole batch (a login writes three or more values): all of it is sealed under the
        // key active when it began; a rotation meanwhile keeps that term readable like any older one.
        let (term, key) = try activeKey()
        let encrypted = try operations.map { operation -> StorageOperation in
            guard case .put(let path, let value) = operation else { return operation }
            return .put(key: path, value: try BarrierCipher.encrypt(value, key: key, term: term, path: path))
        }
        try await physical.transaction(encrypted)
    }

    // MARK: Crypto

    private func activeKey() throws -> (term: UInt32, key: SymmetricKey) {
        try state.withLock { state in
            guard let keyring = state?.keyring else { throw StorageError.sealed }
            return (keyring.activeTerm, keyring.active.key)
        }
    }

    private func seal(_ value: [UInt8], path: String) throws -> [UInt8] {
        try Self.checkNotReserved(path)
        let (term, key) = try activeKey()
        return try BarrierCipher.encrypt(value, key: key, term: term, path: path)
    }

    private func open(_ blob: [UInt8], path: String) throws -> [UInt8] {
        guard let header = BarrierCipher.Header(blob) else { throw StorageError.corrupt(key: path) }
        let key = try state.withLock { state -> SymmetricKey in
            guard let keyring = state?.keyring else { throw StorageError.sealed }
            guard let term = keyring.terms[header.term] else { throw StorageError.unknownKeyTerm(header.term) }
            return term.key
        }
        do {
            return try BarrierCipher.decrypt(blob, header: header, key: key, path: path)
        } catch {
            throw StorageError.corrupt(key: path)
        }
    }

    /// The keyring lives in the same key space; writing it through the barrier would destroy it.
    private static func checkNotReserved(_ key: String) throws {
        // Every write checks its key: one longer than any reserved path (nearly all of them) is not hashed.
        guard key.utf8.count <= longestReservedPath else { return }
        if key == Keyring.path || SealStoragePaths.all.contains(key) {
            throw StorageError.backend("\(key) is reserved for the barrier and the seal")
        }
    }

    private static let longestReservedPath = SealStoragePaths.all.union([Keyring.path]).map(\.utf8.count).max() ?? 0

    private static func checkSize(_ sealKey: SymmetricKey) throws {
        guard sealKey.bitCount == 256 else {
            throw StorageError.invalidSealKey("expected a 256-bit key, got \(sealKey.bitCount) bits")
        }
    }
}
