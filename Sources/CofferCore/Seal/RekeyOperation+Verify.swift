import CofferFramework

extension RekeyOperation {
    /// The object for `GET sys/rekey/verify`.
    public func verificationStatus() throws(LogicalError) -> RekeyVerificationStatus {
        try pending.withLock { pending throws(LogicalError) in
            guard let pending else { throw LogicalError.badRequest("no rekey configuration found") }
            return RekeyVerificationStatus(
                nonce: pending.verificationNonce, started: !pending.newKey.isEmpty, newThreshold: pending.threshold,
                newShares: pending.shares, progress: pending.verificationProgress.count)
        }
    }

    /// `DELETE sys/rekey/verify`: a new verification nonce and no verification progress; the new key stays.
    public func restartVerification() async throws(LogicalError) {
        await lock.lock()
        defer { lock.unlock() }
        try pending.withLock { pending throws(LogicalError) in
            guard pending != nil else { throw LogicalError.badRequest("no rekey in progress") }
            pending?.verificationNonce = Hex.uuid()
            pending?.verificationProgress.wipe()
        }
    }

    /// Adds one NEW share. Below the new threshold returns nil; at it, installs the new key if the shares
    /// give it back and returns the verification nonce. A wrong set clears the progress and rotates the nonce.
    public func verify(
        share: [UInt8], nonce: String, combine: @Sendable ([[UInt8]]) throws(LogicalError) -> [UInt8],
        install: @Sendable ([UInt8], Int, Int) async throws(LogicalError) -> Void
    ) async throws(LogicalError) -> String? {
        await lock.lock()
        defer { lock.unlock() }
        guard var (plan, submitted) = try collectVerification(share: share, nonce: nonce) else { return nil }
        defer {
            KeyShareProgress.wipe(&submitted)
            plan.wipe()
        }
        var recovered: [UInt8] = []
        defer {
            for index in recovered.indices { recovered[index] = 0 }
        }
        do throws(LogicalError) {
            recovered = try combine(submitted)
            guard KeyShareProgress.constantTimeEqual(recovered, plan.newKey) else {
                throw LogicalError.badRequest("rekey verification failed; incorrect key shares supplied")
            }
        } catch {
            pending.withLock { $0?.verificationNonce = Hex.uuid() }
            throw error
        }
        try await install(plan.newKey, plan.shares, plan.threshold)
        wipe()
        return plan.verificationNonce
    }

    private func collectVerification(share: [UInt8], nonce: String) throws(LogicalError) -> (Pending, [[UInt8]])? {
        try pending.withLock { pending throws(LogicalError) -> (Pending, [[UInt8]])? in
            guard var current = pending else { throw LogicalError.badRequest("no rekey in progress") }
            guard !current.newKey.isEmpty else { throw LogicalError.badRequest("no rekey verification in progress") }
            guard nonce == current.verificationNonce else {
                throw LogicalError.badRequest(
                    "incorrect nonce supplied; nonce for this verify operation is \"\(current.verificationNonce)\"")
            }
            guard current.verificationProgress.add(share) else {
                throw LogicalError.badRequest("given key has already been provided during this verify operation")
            }
            let shares =
                current.verificationProgress.count >= current.threshold ? current.verificationProgress.take() : nil
            pending = current
            return shares.map { (current, $0) }
        }
    }
}
