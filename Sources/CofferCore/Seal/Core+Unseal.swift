import CofferFramework
import CofferStorage
import Crypto
import Foundation

/// `sys/unseal` and the static seal's auto-unseal (docs/seal.md § Unsealing). Every step holds the seal's
/// transition lock, so concurrent submissions are applied one at a time and at most one combination runs.
extension Core {
    /// Records one share (hex or base64) and unseals at the threshold. Errors are Vault's texts and statuses.
    ///
    /// ```swift
    /// for share in shares.prefix(3) { status = try await core.submitUnsealKey(share) }   // status.sealed == false
    /// ```
    public func submitUnsealKey(_ text: String) async throws(LogicalError) -> SealStatus {
        guard !text.isEmpty else {
            throw .badRequest("'key' must be specified in request body as JSON, or 'reset' set to true")
        }
        var part = try UnsealKeyText.decode(text)
        defer { UnsealAttempt.wipe(&part) }
        let manager = sealManager
        guard let configuration = manager.configuration else { throw .badRequest("Vault is not initialized") }
        try UnsealKeyText.checkLength(part, prefix: "invalid key: ")
        await manager.transitions.lock()
        defer { manager.transitions.unlock() }
        guard isSealed else { return sealStatus() }
        let threshold = configuration.shownThreshold
        var parts = manager.attempt.withLock { attempt -> [[UInt8]] in
            guard attempt.add(part), attempt.progress >= threshold else { return [] }
            return attempt.take()
        }
        guard !parts.isEmpty else { return sealStatus() }
        defer { for index in parts.indices { UnsealAttempt.wipe(&parts[index]) } }
        do {
            var key = try manager.combine(parts)
            defer { UnsealAttempt.wipe(&key) }
            if configuration.isRecoverySeal {
                // A recovery quorum proves the operators are present; the static key itself opens the root key.
                try await manager.verifyRecoveryKey(key)
                _ = try await autoUnsealLocked()
            } else {
                try await openBarrier(rootKey: try await manager.unwrapRootKey(unsealKey: SymmetricKey(data: key)))
            }
        } catch SealError.combine(let why) {
            throw .badRequest("invalid key: failed to compute combined key: \(why)")
        } catch SealError.authenticationFailed {
            throw .badRequest("unable to retrieve stored keys: \(SealError.authenticationFailed)")
        } catch {
            logger.error("unseal failed", metadata: ["error": "\(error)"])
            throw LogicalError(status: 500, messages: ["\(error)"])
        }
        return sealStatus()
    }

    /// `reset: true`: forgets the shares of the current attempt.
    public func resetUnseal() throws(LogicalError) -> SealStatus {
        guard isSealed else { throw .badRequest("vault is unsealed") }
        sealManager.clearAttempt()
        return sealStatus()
    }

    /// A static seal unseals itself with its configured key (at start, after `sys/init`). Storage from before the
    /// Shamir seal (keyring under the static key, no seal records) is migrated: the static key stays its root
    /// key, and a new single recovery key is stored and returned — the only time it is shown.
    public func autoUnseal() async throws -> [UInt8]? {
        await sealManager.transitions.lock()
        defer { sealManager.transitions.unlock() }
        guard isSealed else { return nil }
        return try await autoUnsealLocked()
    }

    func autoUnsealLocked() async throws -> [UInt8]? {
        let manager = sealManager
        guard let staticKey = manager.staticKey else {
            throw SealError.misconfigured("no static seal key is configured")
        }
        let configuration: SealConfiguration?
        if let cached = manager.configuration {
            configuration = cached
        } else {
            configuration = try await manager.load()
        }
        guard let configuration else { throw SealError.notInitialized }
        guard configuration.type == .staticKey else {
            throw SealError.misconfigured(
                "storage is sealed with a \(configuration.type.rawValue) seal, not the configured static seal")
        }
        guard manager.isLegacyLayout else {
            try await openBarrier(rootKey: try await manager.unwrapRootKey(unsealKey: staticKey))
            return nil
        }
        try await barrier.unseal(sealKey: staticKey)
        let recoveryKey = SecureRandom.bytes(32)
        let migrated = SealConfiguration(
            type: .staticKey, secretShares: 1, secretThreshold: 1, recoveryShares: 1, recoveryThreshold: 1)
        do {
            let operations = try manager.records(
                migrated, rootKey: staticKey, unsealKey: staticKey, recoveryKey: recoveryKey)
            try await barrier.physicalStorage.transaction(operations)
            manager.markMigrated(migrated)
            try await activateOrStartElection()
        } catch {
            barrier.seal()
            throw error
        }
        return recoveryKey
    }

    /// Unseals the barrier with `rootKey` and loads everything; on failure the barrier is sealed again.
    func openBarrier(rootKey: SymmetricKey) async throws {
        try await barrier.unseal(sealKey: rootKey)
        do {
            try await activateOrStartElection()
        } catch {
            await seal()
            throw error
        }
    }
}
