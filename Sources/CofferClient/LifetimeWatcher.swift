import Synchronization

/// Keeps a renewable token alive: renews it (`auth/token/renew-self`) after about two thirds of each
/// lease, like the Go client's `LifetimeWatcher` and Vault Agent, and reports through an `AsyncStream`
/// when it can no longer do so.
///
/// ```swift
/// let answer = try await client.login(try AzureAuthLogin(role: "web"))!
/// let watcher = LifetimeWatcher(client: client, auth: answer.authInfo!)
/// for await event in watcher.start() {
///     switch event {
///     case .renewed(let auth): print("renewed for \(auth.leaseDuration) s")
///     case .done(.maxTTLReached): print("log in again")           // the stream ends after `.done`
///     case .done(let reason): print("stopped: \(reason)")
///     }
/// }
/// ```
/// Renewals send the watched token itself as `X-Vault-Token`, so the client's own token does not matter.
public final class LifetimeWatcher: Sendable {
    public enum Event: Sendable {
        /// A renewal succeeded; `auth.leaseDuration` is the new remaining lifetime.
        case renewed(VaultAuth)
        /// No more renewals will happen; the stream finishes after this event.
        case done(DoneReason)
    }

    public enum DoneReason: Sendable, CustomStringConvertible {
        /// The lease stopped growing and what is left is within the grace period: the token's
        /// max TTL is (about to be) reached. `remaining` is the lease left when the watcher stopped.
        case maxTTLReached(remaining: Duration)
        /// The server says the token cannot be renewed (or it never expires).
        case notRenewable
        /// A renewal failed.
        case failed(String)

        public var description: String {
            switch self {
            case .maxTTLReached(let remaining): return "max TTL reached (\(remaining) left)"
            case .notRenewable: return "the token is not renewable"
            case .failed(let message): return "renewal failed: \(message)"
            }
        }
    }

    private let client: VaultClient
    private let auth: VaultAuth
    private let increment: Int
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// `increment` is sent with every renewal (0: the token's normal TTL).
    public init(client: VaultClient, auth: VaultAuth, increment: Int = 0) {
        self.client = client
        self.auth = auth
        self.increment = increment
    }

    /// Starts watching and returns the events. Call once; ending the iteration (or ``stop()``) stops renewing.
    public func start() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream<Event>.makeStream()
        let worker = Task { [client, auth, increment] in
            let reason = await Self.run(client: client, auth: auth, increment: increment) {
                continuation.yield(.renewed($0))
            }
            if let reason { continuation.yield(.done(reason)) }
            continuation.finish()
        }
        continuation.onTermination = { _ in worker.cancel() }
        task.withLock { $0 = worker }
        return stream
    }

    /// Stops renewing; the stream finishes without a `.done` event.
    public func stop() {
        task.withLock { $0?.cancel() }
    }

    /// The renewal loop; returns why it stopped, or nil when cancelled.
    private static func run(
        client: VaultClient, auth: VaultAuth, increment: Int, renewed: (VaultAuth) -> Void
    ) async -> DoneReason? {
        guard auth.renewable, auth.leaseDuration > 0 else { return .notRenewable }
        var lease = Duration.seconds(auth.leaseDuration)
        var grace = Self.grace(for: lease)
        while true {
            let sleep = lease * (2.0 / 3.0) + grace / 3
            // Sleeping into the grace period would leave too little time to renew: the lease has
            // stopped growing, so the max TTL is close (Go's `calculateSleepDuration` rule).
            if lease <= grace || lease - sleep <= grace { return .maxTTLReached(remaining: lease) }
            do {
                try await Task.sleep(for: sleep)
            } catch {
                return nil
            }
            let result: VaultAuth
            do {
                result = try await client.renewSelf(increment: increment, token: auth.clientToken)
            } catch {
                if Task.isCancelled { return nil }
                return .failed(String(describing: error))
            }
            guard result.renewable else { return .notRenewable }
            // A renewable token whose renewal grants no whole second left has reached its max TTL
            // (the server truncates the remaining lifetime, as Vault does).
            guard result.leaseDuration > 0 else { return .maxTTLReached(remaining: .zero) }
            renewed(result)
            let next = Duration.seconds(result.leaseDuration)
            // A lease that keeps its length is still extending; recompute the jitter for it.
            if next >= lease { grace = Self.grace(for: next) }
            lease = next
        }
    }

    /// 10–20 % of the lease, random, so many watchers do not renew in lockstep.
    static func grace(for lease: Duration) -> Duration {
        lease * (0.1 + Double.random(in: 0..<0.1))
    }
}
