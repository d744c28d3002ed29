import CofferFramework
import CofferStorage

/// `sys/rekey/verify` and `sys/rekey-recovery-key/verify` (docs/seal.md § Rekey): with `require_verification`
/// the new key is installed only once a quorum of the NEW shares is submitted back.
extension Core {
    /// `GET sys/rekey/verify`.
    public func rekeyVerificationStatus(recovery: Bool) throws(LogicalError) -> RekeyVerificationStatus {
        let operation = try rekeyOperation(recovery: recovery)
        guard sealManager.configuration != nil else { throw .badRequest("server is not yet initialized") }
        guard !isSealed else { throw .sealed }
        return try operation.verificationStatus()
    }

    /// `DELETE sys/rekey/verify`: a fresh verification nonce and progress; returns the new status.
    public func restartRekeyVerification(recovery: Bool) async throws(LogicalError) -> RekeyVerificationStatus {
        let operation = try rekeyOperation(recovery: recovery)
        guard !isSealed else { throw .sealed }
        try await operation.restartVerification()
        return try rekeyVerificationStatus(recovery: recovery)
    }

    /// `PUT sys/rekey/verify`: one NEW share for the verification `nonce`. Nil below the new threshold; at it,
    /// the verification nonce once the new key is installed.
    ///
    /// ```swift
    /// if let nonce = try await core.verifyRekey(key: newShare, nonce: vnonce, recovery: false) { /* installed */ }
    /// ```
    public func verifyRekey(key text: String, nonce: String, recovery: Bool) async throws(LogicalError) -> String? {
        let operation = try rekeyOperation(recovery: recovery)
        guard !text.isEmpty else { throw .badRequest("'key' must be specified in request body as JSON") }
        var share = try UnsealKeyText.decode(text)
        defer { UnsealAttempt.wipe(&share) }
        guard !isSealed else { throw .sealed }
        try UnsealKeyText.checkLength(share, prefix: "")
        return try await operation.verify(
            share: share, nonce: nonce,
            combine: { shares throws(LogicalError) in
                if shares.count == 1 { return shares[0] }
                do {
                    return try Shamir.combine(shares)
                } catch {
                    throw LogicalError(status: 500, messages: ["failed to compute key for verification: \(error)"])
                }
            },
            install: { key, shares, threshold throws(LogicalError) in
                try await self.installRekeyedKey(key, shares: shares, threshold: threshold, recovery: recovery)
            })
    }
}
