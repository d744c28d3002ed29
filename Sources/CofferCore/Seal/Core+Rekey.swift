import CofferFramework
import CofferStorage

/// `sys/rekey/*` and `sys/rekey-recovery-key/*` (docs/seal.md § Rekey): a quorum of the current shares
/// replaces the unseal key (Shamir seal) or the recovery key (static seal) with a new one split anew.
extension Core {
    /// The operation for `recovery`, after Vault's first check: recovery rekeying needs a seal with recovery keys.
    public func rekeyOperation(recovery: Bool) throws(LogicalError) -> RekeyOperation {
        guard recovery else { return keyAttempts.barrierRekey }
        let type = sealManager.configuration?.type ?? sealManager.type
        guard type.usesRecoveryKeys else { throw .badRequest("recovery rekeying not supported") }
        return keyAttempts.recoveryRekey
    }

    /// `GET sys/rekey/init`.
    ///
    /// ```swift
    /// let status = try core.rekeyStatus(recovery: false)   // status.required == current threshold
    /// ```
    public func rekeyStatus(recovery: Bool) throws(LogicalError) -> RekeyStatus {
        let operation = try rekeyOperation(recovery: recovery)
        guard let configuration = sealManager.configuration else { throw .badRequest("server is not yet initialized") }
        guard !isSealed else { throw .sealed }
        // On a seal with recovery keys both rekeys are authorised by recovery shares.
        return operation.status(required: configuration.shownThreshold)
    }

    /// `PUT sys/rekey/init`: starts a rekey to the requested shares and threshold. PGP keys (and so backups)
    /// are not supported; the checks and their texts otherwise follow Vault's order.
    public func startRekey(_ request: RekeyRequest, recovery: Bool) async throws(LogicalError) -> RekeyStatus {
        let operation = try rekeyOperation(recovery: recovery)
        if request.backup && request.pgpKeys.isEmpty {
            throw .badRequest("cannot request a backup of the new keys without providing PGP keys for encryption")
        }
        if !request.pgpKeys.isEmpty && request.pgpKeys.count != request.secretShares {
            throw .badRequest("incorrect number of PGP keys for rekey")
        }
        if request.secretThreshold > request.secretShares {
            throw .badRequest("provided threshold greater than the total shares")
        }
        if !request.pgpKeys.isEmpty {
            throw .badRequest(
                "pgp_keys is not supported: Coffer does not encrypt key shares with PGP; rekey without pgp_keys")
        }
        guard let configuration = sealManager.configuration else { throw .badRequest("server is not yet initialized") }
        if !recovery && configuration.isRecoverySeal {
            throw .badRequest(
                "rekeying the unseal key is not supported with the static seal (the server holds that key); "
                    + "rekey the recovery keys with sys/rekey-recovery-key")
        }
        if let reason = SealConfiguration.validate(shares: request.secretShares, threshold: request.secretThreshold) {
            let prefix = recovery ? "invalid recovery configuration" : "invalid rekey seal configuration"
            throw LogicalError(status: 500, messages: ["\(prefix): \(reason)"])
        }
        guard !isSealed else { throw .sealed }
        try await operation.start(
            shares: request.secretShares, threshold: request.secretThreshold,
            requireVerification: request.requireVerification)
        // A seal that ran while this waited for the rekey's lock has already wiped the attempts.
        if isSealed {
            operation.wipe()
            throw .sealed
        }
        return try rekeyStatus(recovery: recovery)
    }

    /// `DELETE sys/rekey/init`: ends the rekey; nothing changes.
    public func cancelRekey(recovery: Bool) async throws(LogicalError) {
        let operation = try rekeyOperation(recovery: recovery)
        guard !isSealed else { throw .sealed }
        await operation.cancel()
    }

    /// `PUT sys/rekey/update`: one existing share for the rekey `nonce`. Nil below the threshold (answer with
    /// ``rekeyStatus(recovery:)``); at it, the new shares.
    ///
    /// ```swift
    /// if let done = try await core.updateRekey(key: share, nonce: nonce, recovery: false) { print(done.json) }
    /// ```
    public func updateRekey(key text: String, nonce: String, recovery: Bool) async throws(LogicalError)
        -> RekeyCompletion?
    {
        let operation = try rekeyOperation(recovery: recovery)
        guard !text.isEmpty else { throw .badRequest("'key' must be specified in request body as JSON") }
        var share = try UnsealKeyText.decode(text)
        defer { UnsealAttempt.wipe(&share) }
        guard !isSealed else { throw .sealed }
        try UnsealKeyText.checkLength(share, prefix: "")
        guard let configuration = sealManager.configuration else { throw .badRequest("Vault is not initialized") }
        return try await operation.update(
            share: share, nonce: nonce, required: configuration.shownThreshold, seal: rekeySteps(recovery: recovery))
    }

    /// The seal's part of a rekey, with Vault's texts and statuses for each failure.
    func rekeySteps(recovery: Bool) -> RekeyOperation.SealSteps {
        let manager = sealManager
        return RekeyOperation.SealSteps(
            authenticate: { shares throws(LogicalError) in
                try await self.authenticateRekey(shares, recovery: recovery)
            },
            generate: { shares, threshold throws(LogicalError) in
                do {
                    return try manager.newKeyShares(shares: shares, threshold: threshold)
                } catch {
                    throw LogicalError(status: 500, messages: ["failed to generate new key: \(error)"])
                }
            },
            install: { key, shares, threshold throws(LogicalError) in
                try await self.installRekeyedKey(key, shares: shares, threshold: threshold, recovery: recovery)
            })
    }

    func authenticateRekey(_ shares: [[UInt8]], recovery: Bool) async throws(LogicalError) {
        do {
            try await sealManager.verifyKeyShares(shares)
        } catch SealError.combine(let why) {
            let what = recovery ? "recovery key" : "root key"
            throw LogicalError(status: 500, messages: ["failed to compute \(what): \(why)"])
        } catch SealError.authenticationFailed {
            logger.warning("rekey refused: the submitted shares do not authenticate")
            if recovery || sealManager.configuration?.isRecoverySeal == true {
                throw .badRequest("recovery key verification failed: recovery key does not match submitted values")
            }
            throw LogicalError(
                status: 500, messages: ["failed to read root key: \(SealError.authenticationFailed)"])
        } catch SealError.sealed {
            throw .sealed
        } catch {
            logger.error("rekey failed", metadata: ["error": "\(error)"])
            throw LogicalError(status: 500, messages: ["failed to read root key: \(error)"])
        }
    }

    func installRekeyedKey(_ key: [UInt8], shares: Int, threshold: Int, recovery: Bool) async throws(LogicalError) {
        do {
            if recovery {
                try await sealManager.installRecoveryKey(key, shares: shares, threshold: threshold)
            } else {
                try await sealManager.installUnsealKey(key, shares: shares, threshold: threshold)
            }
            logger.info("rekey complete", metadata: ["recovery": "\(recovery)", "shares": "\(shares)"])
        } catch {
            logger.error("rekey install failed", metadata: ["error": "\(error)"])
            let what = recovery ? "failed to perform recovery rekey" : "failed to perform barrier rekey"
            throw LogicalError(status: 500, messages: ["\(what): \(error)"])
        }
    }
}
