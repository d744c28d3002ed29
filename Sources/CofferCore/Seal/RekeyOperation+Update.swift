import CofferFramework

extension RekeyOperation {
    /// Adds one existing share. Below `required` returns nil (the caller answers with ``status(required:)``);
    /// at `required` checks the set, makes the new key and either installs it at once or, when verification
    /// is required, keeps it and returns the verification nonce with the new shares.
    public func update(
        share: [UInt8], nonce: String, required: Int, seal: SealSteps
    ) async throws(LogicalError) -> RekeyCompletion? {
        await lock.lock()
        defer { lock.unlock() }
        guard var (plan, submitted) = try collect(share: share, nonce: nonce, required: required) else { return nil }
        defer { KeyShareProgress.wipe(&submitted) }
        try await seal.authenticate(submitted)
        var (key, shares) = try seal.generate(plan.shares, plan.threshold)
        defer {
            for index in key.indices { key[index] = 0 }
        }
        var completion = RekeyCompletion(nonce: nonce, shares: shares)
        if plan.verificationRequired {
            let verificationNonce = Hex.uuid()
            pending.withLock { pending in
                pending?.newKey = key
                pending?.verificationNonce = verificationNonce
            }
            completion.verificationNonce = verificationNonce
            return completion
        }
        try await seal.install(key, plan.shares, plan.threshold)
        wipe()
        plan.wipe()
        return completion
    }

    /// Checks state, nonce and duplicates and records the share; at the threshold takes the shares out.
    private func collect(
        share: [UInt8], nonce: String, required: Int
    ) throws(LogicalError) -> (Pending, [[UInt8]])? {
        try pending.withLock { pending throws(LogicalError) -> (Pending, [[UInt8]])? in
            guard var current = pending else {
                throw LogicalError.badRequest(
                    kind == .barrier ? "no barrier rekey in progress" : "no recovery rekey in progress")
            }
            guard current.newKey.isEmpty else {
                throw LogicalError.badRequest(
                    "rekey operation already finished; verification must be performed; nonce for the verification "
                        + "operation is \"\(current.verificationNonce)\"")
            }
            guard nonce == current.nonce else {
                throw LogicalError.badRequest(
                    "incorrect nonce supplied; nonce for this rekey operation is \"\(current.nonce)\"")
            }
            guard current.progress.add(share) else {
                // Vault's barrier text says "generation" (sic); its recovery text says "rekey".
                throw LogicalError.badRequest(
                    "given key has already been provided during this "
                        + (kind == .barrier ? "generation" : "rekey") + " operation")
            }
            let shares = current.progress.count >= required ? current.progress.take() : nil
            pending = current
            return shares.map { (current, $0) }
        }
    }
}
