import CofferFramework
import CofferStorage
import Synchronization

/// One rekey of the unseal key (`sys/rekey/*`) or of the recovery key (`sys/rekey-recovery-key/*`), with its
/// optional verification phase (docs/seal.md § Rekey).
///
/// As ``RootGeneration``, every change runs under one FIFO lock held across the share check and the
/// install, so a rekey completes once, with `required` distinct existing shares, and installs one new key.
/// The seal-dependent steps (check the old shares, make and install the new key) come in as closures.
///
/// ```swift
/// let rekey = RekeyOperation(kind: .barrier)
/// try await rekey.start(shares: 3, threshold: 2, requireVerification: false)
/// if let done = try await rekey.update(share: s, nonce: n, required: 3, seal: steps) { print(done.json) }
/// ```
public final class RekeyOperation: Sendable {
    /// Which key is replaced; the texts of a few errors differ, as in Vault.
    public enum Kind: Sendable { case barrier, recovery }

    /// What the operation asks of the seal at the threshold.
    public struct SealSteps: Sendable {
        /// Checks the existing shares; throws the endpoint's error when they are not the key's.
        public var authenticate: @Sendable ([[UInt8]]) async throws(LogicalError) -> Void
        /// A new random key and its shares for `(shares, threshold)`.
        public var generate: @Sendable (Int, Int) throws(LogicalError) -> (key: [UInt8], shares: [[UInt8]])
        /// Makes `key` the key, split `(shares, threshold)`; the old shares stop working.
        public var install: @Sendable ([UInt8], Int, Int) async throws(LogicalError) -> Void

        public init(
            authenticate: @escaping @Sendable ([[UInt8]]) async throws(LogicalError) -> Void,
            generate: @escaping @Sendable (Int, Int) throws(LogicalError) -> (key: [UInt8], shares: [[UInt8]]),
            install: @escaping @Sendable ([UInt8], Int, Int) async throws(LogicalError) -> Void
        ) {
            self.authenticate = authenticate
            self.generate = generate
            self.install = install
        }
    }

    struct Pending: Sendable {
        let nonce: String
        let shares: Int
        let threshold: Int
        let verificationRequired: Bool
        var progress = KeyShareProgress()
        /// The new key, kept until its shares are verified.
        var newKey: [UInt8] = []
        var verificationNonce = ""
        var verificationProgress = KeyShareProgress()

        mutating func wipe() {
            progress.wipe()
            verificationProgress.wipe()
            for index in newKey.indices { newKey[index] = 0 }
            newKey = []
        }
    }

    public let kind: Kind
    let lock = AsyncLock()
    let pending = Mutex<Pending?>(nil)

    public init(kind: Kind) {
        self.kind = kind
    }

    /// The object for `GET sys/rekey/init`.
    public func status(required: Int) -> RekeyStatus {
        pending.withLock { pending in
            var status = RekeyStatus(required: required)
            guard let pending else { return status }
            status.nonce = pending.nonce
            status.started = true
            status.newThreshold = pending.threshold
            status.newShares = pending.shares
            status.progress = pending.progress.count
            status.verificationRequired = pending.verificationRequired
            status.verificationNonce = pending.verificationNonce
            return status
        }
    }

    /// Starts a rekey to `shares`/`threshold` (already validated by the caller).
    public func start(shares: Int, threshold: Int, requireVerification: Bool) async throws(LogicalError) {
        await lock.lock()
        defer { lock.unlock() }
        try pending.withLock { pending throws(LogicalError) in
            guard pending == nil else { throw LogicalError.badRequest("rekey already in progress") }
            pending = Pending(
                nonce: Hex.uuid(), shares: shares, threshold: threshold, verificationRequired: requireVerification)
        }
    }

    /// Ends the rekey (if any); nothing is installed and every share and pending key is zeroed.
    public func cancel() async {
        await lock.lock()
        defer { lock.unlock() }
        wipe()
    }

    /// Forgets the rekey without waiting for the lock (the server is sealing).
    public func wipe() {
        pending.withLock { pending in
            pending?.wipe()
            pending = nil
        }
    }
}
