import CofferStorage
import Crypto
import Foundation
import Synchronization

/// The seal's key material and records (docs/seal.md § Key hierarchy): a random root key encrypts the barrier's
/// keyring and is stored wrapped under the unseal key — the Shamir-combined key (never stored) or the static
/// seal key (configured) — at `core/hsm/barrier-unseal-keys`; the plaintext seal configuration sits at
/// `core/seal-config`; a static seal also keeps its recovery key wrapped under the static key. Replacing the
/// unseal key (rekey) re-wraps the root key only.
///
/// Reached as `core.sealManager`; the unseal state machine itself is `Core+Seal.swift`.
///
/// ```swift
/// let config = core.sealManager.configuration                  // nil until initialised
/// try await core.sealManager.verifyKeyShares(parts)            // SealError on a wrong set
/// let (key, shares) = try core.sealManager.newKeyShares(shares: 5, threshold: 3)
/// try await core.sealManager.installUnsealKey(key, shares: 5, threshold: 3)
/// ```
public final class SealManager: Sendable {
    let barrier: Barrier
    private let staticKeyState: Mutex<SymmetricKey?>
    private let cached = Mutex<SealConfiguration?>(nil)
    /// Set when storage holds a keyring but no seal records: the keyring is encrypted with the static key itself.
    private let legacyLayout = Mutex(false)
    let attempt = Mutex(UnsealAttempt())
    /// Serialises init, unseal, seal and key installation: no two of them interleave their reads and writes.
    let transitions = AsyncLock()

    init(barrier: Barrier, staticKey: SymmetricKey?) {
        self.barrier = barrier
        self.staticKeyState = Mutex(staticKey)
    }

    var physical: any PhysicalStorage { barrier.physicalStorage }

    /// The stored seal configuration as last read or written; nil while uninitialised (or not yet loaded).
    public var configuration: SealConfiguration? { cached.withLock { $0 } }

    /// The seal this server runs with: static when a static key is configured.
    public var type: SealType { staticKey == nil ? .shamir : .staticKey }

    var staticKey: SymmetricKey? { staticKeyState.withLock { $0 } }

    func setStaticKey(_ key: SymmetricKey) { staticKeyState.withLock { $0 = key } }

    var isLegacyLayout: Bool { legacyLayout.withLock { $0 } }

    func remember(_ configuration: SealConfiguration?) {
        cached.withLock { $0 = configuration }
    }

    /// Reads the seal configuration from storage (at start). A keyring without seal records is the layout
    /// of servers from before the Shamir seal: it opens with the static key alone and is migrated on unseal.
    @discardableResult
    public func load() async throws -> SealConfiguration? {
        if let bytes = try await physical.get(SealStoragePaths.configuration) {
            guard let stored = try? JSONDecoder().decode(SealConfiguration.self, from: Data(bytes)) else {
                throw StorageError.corrupt(key: SealStoragePaths.configuration)
            }
            remember(stored)
            return stored
        }
        guard try await barrier.isInitialized() else {
            remember(nil)
            return nil
        }
        legacyLayout.withLock { $0 = true }
        let legacy = SealConfiguration(type: .staticKey, secretShares: 1, secretThreshold: 1)
        remember(legacy)
        return legacy
    }

    // MARK: Keys and shares

    /// A new random 32-byte key and its shares; with one share the share is the key itself, as Vault does.
    public func newKeyShares(shares: Int, threshold: Int) throws -> (key: [UInt8], shares: [[UInt8]]) {
        if let reason = SealConfiguration.validate(shares: shares, threshold: threshold) {
            throw SealError.misconfigured("invalid seal configuration: \(reason)")
        }
        let key = SecureRandom.bytes(32)
        if shares == 1 { return (key, [key]) }
        return (key, try Shamir.split(key, parts: shares, threshold: threshold))
    }

    /// The key `parts` combine to: with one part the part is the key.
    func combine(_ parts: [[UInt8]]) throws(SealError) -> [UInt8] {
        if parts.count == 1 { return parts[0] }
        do {
            return try Shamir.combine(parts)
        } catch {
            throw .combine(error)
        }
    }

    /// Combines `shares` and checks the result against storage: the unseal key on a Shamir seal (it must open
    /// the stored root key), the recovery key on a static seal. Throws ``SealError``.
    public func verifyKeyShares(_ shares: [[UInt8]]) async throws {
        guard let configuration else { throw SealError.notInitialized }
        var key = try combine(shares)
        defer { UnsealAttempt.wipe(&key) }
        if configuration.isRecoverySeal {
            try await verifyRecoveryKey(key)
        } else {
            _ = try await unwrapRootKey(unsealKey: SymmetricKey(data: key))
        }
    }

    /// The root key wrapped under `unsealKey`; ``SealError/authenticationFailed`` when it does not open.
    func unwrapRootKey(unsealKey: SymmetricKey) async throws -> SymmetricKey {
        guard unsealKey.bitCount == 256 else { throw SealError.authenticationFailed }
        guard let blob = try await physical.get(SealStoragePaths.rootKey) else { throw SealError.notInitialized }
        var bytes = try KeyWrap.unwrap(blob, under: unsealKey, path: SealStoragePaths.rootKey)
        defer { UnsealAttempt.wipe(&bytes) }
        guard bytes.count == 32 else { throw StorageError.corrupt(key: SealStoragePaths.rootKey) }
        return SymmetricKey(data: bytes)
    }

    func verifyRecoveryKey(_ key: [UInt8]) async throws {
        guard let staticKey else { throw SealError.misconfigured("no static seal key is configured") }
        guard let blob = try await physical.get(SealStoragePaths.recoveryKey) else {
            throw SealError.misconfigured("no recovery key is stored")
        }
        var stored = try KeyWrap.unwrap(blob, under: staticKey, path: SealStoragePaths.recoveryKey)
        defer { UnsealAttempt.wipe(&stored) }
        guard UnsealAttempt.equal(stored, key) else { throw SealError.authenticationFailed }
    }

    // MARK: Records

    /// The physical writes that store `configuration`, the root key under `unsealKey` and (static seal) the
    /// recovery key under the static key.
    func records(
        _ configuration: SealConfiguration, rootKey: SymmetricKey, unsealKey: SymmetricKey, recoveryKey: [UInt8]?
    ) throws -> [StorageOperation] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var rootBytes = rootKey.withUnsafeBytes { Array($0) }
        defer { UnsealAttempt.wipe(&rootBytes) }
        var operations: [StorageOperation] = [
            .put(key: SealStoragePaths.configuration, value: Array(try encoder.encode(configuration))),
            .put(
                key: SealStoragePaths.rootKey,
                value: try KeyWrap.wrap(rootBytes, under: unsealKey, path: SealStoragePaths.rootKey)),
        ]
        if let recoveryKey, let staticKey {
            operations.append(
                .put(
                    key: SealStoragePaths.recoveryKey,
                    value: try KeyWrap.wrap(recoveryKey, under: staticKey, path: SealStoragePaths.recoveryKey)))
        }
        return operations
    }

    /// Re-wraps the root key under `key` and stores the new share counts, in one transaction (rekey of a Shamir
    /// seal). The server must be unsealed.
    public func installUnsealKey(_ key: [UInt8], shares: Int, threshold: Int) async throws {
        guard var configuration, configuration.type == .shamir else {
            throw SealError.misconfigured("unseal keys can only be replaced on a Shamir seal")
        }
        guard key.count == 32 else { throw SealError.misconfigured("an unseal key is 32 bytes") }
        configuration.secretShares = shares
        configuration.secretThreshold = threshold
        await transitions.lock()
        defer { transitions.unlock() }
        let rootKey = try barrier.rootKey()
        let operations = try records(
            configuration, rootKey: rootKey, unsealKey: SymmetricKey(data: key), recoveryKey: nil)
        try await physical.transaction(operations)
        remember(configuration)
    }

    /// Replaces the recovery key of a static seal and its share counts, in one transaction (recovery rekey).
    public func installRecoveryKey(_ key: [UInt8], shares: Int, threshold: Int) async throws {
        guard var configuration, configuration.isRecoverySeal, let staticKey else {
            throw SealError.misconfigured("recovery rekeying not supported")
        }
        configuration.recoveryShares = shares
        configuration.recoveryThreshold = threshold
        await transitions.lock()
        defer { transitions.unlock() }
        let rootKey = try barrier.rootKey()
        let operations = try records(configuration, rootKey: rootKey, unsealKey: staticKey, recoveryKey: key)
        try await physical.transaction(operations)
        legacyLayout.withLock { $0 = false }
        remember(configuration)
    }

    /// After migrating storage from before the Shamir seal: the records now exist.
    func markMigrated(_ configuration: SealConfiguration) {
        legacyLayout.withLock { $0 = false }
        remember(configuration)
    }

    /// Forgets the shares of a pending unseal attempt.
    func clearAttempt() {
        attempt.withLock { $0.clear() }
    }
}
