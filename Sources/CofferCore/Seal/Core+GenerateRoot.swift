import CofferFramework
import CofferStorage

/// `sys/generate-root/*` (docs/seal.md § Root token generation): a quorum of unseal shares (recovery shares on
/// the static seal) mints a new root token, returned XORed with the operator's one-time pad.
extension Core {
    /// `GET sys/generate-root/attempt`.
    ///
    /// ```swift
    /// let status = try core.generateRootStatus()   // status.started == false when idle
    /// ```
    public func generateRootStatus() throws(LogicalError) -> GenerateRootStatus {
        guard let configuration = sealManager.configuration else {
            throw .badRequest("server is not yet initialized")
        }
        guard !isSealed else { throw .sealed }
        return keyAttempts.rootGeneration.status(required: configuration.shownThreshold)
    }

    /// `PUT sys/generate-root/attempt`: with an empty `otp` the server makes one and returns it (once).
    /// PGP-encrypted tokens are not supported; as in Vault an `otp` takes precedence over a `pgp_key`.
    public func startRootGeneration(otp: String, pgpKey: String) async throws(LogicalError) -> GenerateRootStatus {
        var otp = otp
        var generated = ""
        if otp.isEmpty {
            guard pgpKey.isEmpty else {
                throw .badRequest(
                    "pgp_key is not supported: Coffer does not encrypt root tokens with PGP; "
                        + "start the attempt with an otp, or with neither to have one generated")
            }
            otp = RootTokenOTP.generate()
            generated = otp
        } else if otp.utf8.count != RootTokenOTP.length {
            throw .badRequest("OTP string is wrong length")
        }
        guard sealManager.configuration != nil else { throw .badRequest("server is not yet initialized") }
        guard !isSealed else { throw .sealed }
        try await keyAttempts.rootGeneration.start(otp: otp)
        // A seal that ran while this waited for the attempt's lock has already wiped the attempts.
        if isSealed {
            keyAttempts.rootGeneration.wipe()
            throw .sealed
        }
        var status = try generateRootStatus()
        status.otp = generated
        return status
    }

    /// `DELETE sys/generate-root/attempt`: ends the attempt, if any.
    public func cancelRootGeneration() async throws(LogicalError) {
        guard !isSealed else { throw .sealed }
        await keyAttempts.rootGeneration.cancel()
    }

    /// `PUT sys/generate-root/update`: one share (hex or base64) for the attempt `nonce`.
    ///
    /// ```swift
    /// var status = try await core.updateRootGeneration(key: share, nonce: nonce)
    /// if status.complete { let token = try RootTokenOTP.decode(status.encodedToken, otp: otp) }
    /// ```
    public func updateRootGeneration(key text: String, nonce: String) async throws(LogicalError) -> GenerateRootStatus {
        guard !text.isEmpty else { throw .badRequest("'key' must be specified in request body as JSON") }
        var share = try UnsealKeyText.decode(text)
        defer { UnsealAttempt.wipe(&share) }
        try UnsealKeyText.checkLength(share, prefix: "invalid key: ")
        guard let configuration = sealManager.configuration else { throw .badRequest("Vault is not initialized") }
        guard !isSealed else { throw .sealed }
        return try await keyAttempts.rootGeneration.update(
            share: share, nonce: nonce, required: configuration.shownThreshold,
            authenticate: { shares throws(LogicalError) in
                try await self.authenticateRootGeneration(shares, recovery: configuration.isRecoverySeal)
            },
            mint: { () throws(LogicalError) in
                do {
                    return try await self.createRootToken(id: nil)
                } catch {
                    throw .badRequest("error generating root token: \(error)")
                }
            })
    }

    /// Checks the combined shares against the seal, with Vault's texts for generate-root.
    func authenticateRootGeneration(_ shares: [[UInt8]], recovery: Bool) async throws(LogicalError) {
        do {
            try await sealManager.verifyKeyShares(shares)
        } catch SealError.combine(let why) {
            throw .badRequest("\(SealError.combine(why))")
        } catch SealError.authenticationFailed {
            let why =
                recovery
                ? "recovery key verification failed: recovery key does not match submitted values"
                : "unable to retrieve stored keys: \(SealError.authenticationFailed)"
            logger.warning("root generation aborted: the submitted shares do not authenticate")
            throw .badRequest("root generation aborted: unable to authenticate: \(why)")
        } catch SealError.sealed {
            throw .sealed
        } catch {
            logger.error("root generation failed", metadata: ["error": "\(error)"])
            throw LogicalError(status: 500, messages: ["root generation aborted: \(error)"])
        }
    }
}
