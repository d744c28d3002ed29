import CofferFramework
import CofferStorage
import Synchronization

/// The one root-token generation attempt a server runs at a time (docs/seal.md § Root token generation).
///
/// Every change runs under one FIFO lock held across the share check, so concurrent submissions are taken
/// one after another: the attempt completes once, with `required` distinct shares, and mints one token.
/// The seal-dependent steps come in as closures, so this type holds only the attempt's state.
///
/// ```swift
/// let generation = RootGeneration()
/// try await generation.start(otp: RootTokenOTP.generate())
/// let status = try await generation.update(
///     share: share, nonce: nonce, required: 3, authenticate: { try await seal.verify($0) }, mint: { try await mint() })
/// ```
public final class RootGeneration: Sendable {
    struct Attempt: Sendable {
        let nonce: String
        let otp: String
        var progress = KeyShareProgress()
    }

    private let lock = AsyncLock()
    private let attempt = Mutex<Attempt?>(nil)

    public init() {}

    /// The status object for `GET sys/generate-root/attempt`.
    public func status(required: Int) -> GenerateRootStatus {
        attempt.withLock { attempt in
            GenerateRootStatus(
                nonce: attempt?.nonce ?? "", started: attempt != nil, progress: attempt?.progress.count ?? 0,
                required: required)
        }
    }

    /// Starts an attempt whose token will be encoded with `otp` (already checked to be 28 characters).
    public func start(otp: String) async throws(LogicalError) {
        await lock.lock()
        defer { lock.unlock() }
        try attempt.withLock { attempt throws(LogicalError) in
            guard attempt == nil else { throw LogicalError.badRequest("root generation already in progress") }
            attempt = Attempt(nonce: Hex.uuid(), otp: otp)
        }
    }

    /// Ends the attempt (if any) and forgets its shares.
    public func cancel() async {
        await lock.lock()
        defer { lock.unlock() }
        wipe()
    }

    /// Forgets the attempt without waiting for the lock (the server is sealing: nothing may stay in memory).
    public func wipe() {
        attempt.withLock { attempt in
            attempt?.progress.wipe()
            attempt = nil
        }
    }

    /// Adds one share. Below `required` returns the progress; at `required` clears the progress, checks the
    /// combined shares with `authenticate` (an error leaves the attempt started, progress 0) and on success
    /// mints the token, ends the attempt and returns the encoded token.
    public func update(
        share: [UInt8], nonce: String, required: Int,
        authenticate: @Sendable ([[UInt8]]) async throws(LogicalError) -> Void,
        mint: @Sendable () async throws(LogicalError) -> String
    ) async throws(LogicalError) -> GenerateRootStatus {
        await lock.lock()
        defer { lock.unlock() }
        let (otp, count, shares) = try collect(share: share, nonce: nonce, required: required)
        var status = GenerateRootStatus(nonce: nonce, started: true, progress: count, required: required)
        guard var submitted = shares else { return status }
        defer { KeyShareProgress.wipe(&submitted) }
        try await authenticate(submitted)
        let token = try await mint()
        do {
            status.encodedToken = try RootTokenOTP.encode(token: token, otp: otp)
        } catch {
            throw LogicalError(status: 500, messages: ["error encoding root token: \(error)"])
        }
        status.complete = true
        wipe()
        return status
    }

    /// Checks the nonce and duplicates and records the share; at the threshold takes every share out of the
    /// attempt (Vault clears the progress before checking the set, whatever the outcome); `shares` is nil
    /// below the threshold.
    private func collect(
        share: [UInt8], nonce: String, required: Int
    ) throws(LogicalError) -> (otp: String, count: Int, shares: [[UInt8]]?) {
        try attempt.withLock { attempt throws(LogicalError) in
            guard var current = attempt else { throw LogicalError.badRequest("no root generation in progress") }
            guard nonce == current.nonce else {
                throw LogicalError.badRequest(
                    "incorrect nonce supplied; nonce for this root generation operation is \"\(current.nonce)\"")
            }
            guard current.progress.add(share) else {
                throw LogicalError.badRequest("given key has already been provided during this generation operation")
            }
            let count = current.progress.count
            let shares = count >= required ? current.progress.take() : nil
            attempt = current
            return (current.otp, count, shares)
        }
    }
}
