import CofferFramework
import CofferStorage
import Crypto
import Foundation

/// `sys/init` (docs/seal.md § Initialising): a new root key, the seal records and the keyring in one
/// transaction, the built-in mounts, and the initial root token. A Shamir server seals again afterwards;
/// a static-seal server stays unsealed (its auto-unseal).
extension Core {
    /// Initialises storage. Errors are Vault's 400s in Vault's check order.
    ///
    /// ```swift
    /// let result = try await core.initializeSeal(SealInitRequest(secretShares: 5, secretThreshold: 3))
    /// ```
    public func initializeSeal(_ request: SealInitRequest, rootTokenID: String? = nil) async throws(LogicalError)
        -> SealInitResult
    {
        let manager = sealManager
        let type = manager.type
        let (shares, threshold) = try request.validate(for: type)
        await manager.transitions.lock()
        defer { manager.transitions.unlock() }
        do {
            guard try await !barrier.isInitialized() else {
                throw LogicalError.badRequest("Vault is already initialized")
            }
            return try await initializeLocked(
                type: type, shares: shares, threshold: threshold, rootTokenID: rootTokenID)
        } catch let error as LogicalError {
            throw error
        } catch {
            logger.error("initialisation failed", metadata: ["error": "\(error)"])
            throw LogicalError.badRequest("failed to initialize: \(error)")
        }
    }

    private func initializeLocked(type: SealType, shares: Int, threshold: Int, rootTokenID: String?) async throws
        -> SealInitResult
    {
        let manager = sealManager
        let rootKey = SymmetricKey(size: .bits256)
        var generated = try manager.newKeyShares(shares: shares, threshold: threshold)
        defer { UnsealAttempt.wipe(&generated.key) }
        let configuration: SealConfiguration
        let unsealKey: SymmetricKey
        switch type {
        case .shamir:
            configuration = SealConfiguration(type: .shamir, secretShares: shares, secretThreshold: threshold)
            unsealKey = SymmetricKey(data: generated.key)
        case .staticKey:
            guard let staticKey = manager.staticKey else { throw SealError.misconfigured("no static seal key") }
            configuration = SealConfiguration(
                type: .staticKey, secretShares: 1, secretThreshold: 1, recoveryShares: shares,
                recoveryThreshold: threshold)
            unsealKey = staticKey
        }
        let records = try manager.records(
            configuration, rootKey: rootKey, unsealKey: unsealKey,
            recoveryKey: type == .staticKey ? generated.key : nil)
        try await barrier.initialize(sealKey: rootKey, alongside: records)
        manager.remember(configuration)
        try await persistMountTable(Self.builtinMounts(), kind: .secrets)
        try await persistMountTable(Self.builtinAuthMounts(), kind: .credential)
        try await setupUnsealed()
        let rootToken = try await createRootToken(id: rootTokenID)
        if type == .shamir {
            await seal()
        } else if let ha {
            // A node of an HA cluster serves only once it wins the lock: it drops what it loaded and competes.
            await tearDownActive()
            ha.start()
        }
        return type == .shamir
            ? SealInitResult(keys: generated.shares, recoveryKeys: [], rootToken: rootToken)
            : SealInitResult(keys: [], recoveryKeys: generated.shares, rootToken: rootToken)
    }

    /// Mints a root token like the one `sys/init` returns (policies `root`, no TTL, path `auth/token/root`):
    /// for generate-root once a quorum has been shown.
    public func mintRootToken() async throws -> String {
        try await createRootToken(id: nil)
    }
}
