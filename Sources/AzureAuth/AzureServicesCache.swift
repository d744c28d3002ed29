import Synchronization

/// The services a mount's logins share, built from its current configuration (``AzureServices`` in production; any
/// value in tests). A config write drops them; ARM rejecting Coffer's access token renews them, at most once per
/// `renewalInterval`, with concurrent logins waiting for the one renewal.
///
/// ```swift
/// let cache = AzureServicesCache<AzureServices>()
/// let lease = try await cache.lease { try await buildServices(storage) }
/// // ARM said 401: new credential and ARM client, same verifier
/// let renewed = try await cache.renew(lease) { current in try await withNewCredential(current) }
/// cache.drop()                                  // after a config write
/// ```
///
/// `generation` counts drops, so a build that raced a config write is used for its own login but never cached over
/// the new configuration; `epoch` counts renewals, so a login whose services were renewed meanwhile takes the renewed
/// ones instead of renewing again.
final class AzureServicesCache<Value: Sendable>: Sendable {
    /// The services as one login got them, with the counters it saw.
    struct Lease: Sendable {
        var value: Value
        var generation: UInt64
        var epoch: UInt64
    }

    private struct State {
        var value: Value?
        var generation: UInt64 = 0
        var epoch: UInt64 = 0
        var lastRenewal: ContinuousClock.Instant?
        /// The renewal in flight; logins rejected meanwhile wait for it.
        var renewal: Task<Value, any Error>?
    }

    /// What a rejected login does: give up, use services renewed meanwhile, or wait for the renewal in flight.
    private enum RenewalStep {
        case fail, use(Value), wait(Task<Value, any Error>)
    }

    private let state = Mutex(State())
    let renewalInterval: Duration
    private let now: @Sendable () -> ContinuousClock.Instant

    init(renewalInterval: Duration = .seconds(30), now: @escaping @Sendable () -> ContinuousClock.Instant = { .now }) {
        self.renewalInterval = renewalInterval
        self.now = now
    }

    /// The cached services, or ones built now (cached unless a drop happened during the build).
    func lease(build: () async throws -> Value) async throws -> Lease {
        let (cached, generation) = state.withLock { state in
            (state.value.map { Lease(value: $0, generation: state.generation, epoch: state.epoch) }, state.generation)
        }
        if let cached { return cached }
        let built = try await build()
        return state.withLock { state in
            // Two first logins may race to build; either result is equivalent, keep the first stored.
            if let current = state.value {
                return Lease(value: current, generation: state.generation, epoch: state.epoch)
            }
            if state.generation == generation { state.value = built }
            return Lease(value: built, generation: generation, epoch: state.epoch)
        }
    }

    /// Services renewed after `lease` was refused: those another login renewed (or is renewing) meanwhile, or
    /// `renew(current)` at most once per ``renewalInterval``. Nil when the configuration changed meanwhile or the
    /// interval has not passed.
    func renew(_ lease: Lease, _ renew: @escaping @Sendable (Value) async throws -> Value) async throws -> Value? {
        let now = now()
        let step = state.withLock { state -> RenewalStep in
            guard state.generation == lease.generation, let current = state.value else { return .fail }
            if state.epoch != lease.epoch { return .use(current) }
            if let renewal = state.renewal { return .wait(renewal) }
            if let last = state.lastRenewal, now - last < renewalInterval { return .fail }
            state.lastRenewal = now
            let renewal = Task {
                do {
                    let renewed = try await renew(current)
                    self.finishRenewal(lease, renewed)
                    return renewed
                } catch {
                    self.finishRenewal(lease, nil)
                    throw error
                }
            }
            state.renewal = renewal
            return .wait(renewal)
        }
        switch step {
        case .fail: return nil
        case .use(let value): return value
        case .wait(let renewal): return try await renewal.value
        }
    }

    private func finishRenewal(_ lease: Lease, _ renewed: Value?) {
        state.withLock { state in
            guard state.generation == lease.generation, state.epoch == lease.epoch else { return }
            state.renewal = nil
            if let renewed {
                state.value = renewed
                state.epoch &+= 1
            }
        }
    }

    /// Forgets the services (the configuration changed); builds and renewals in flight are not cached.
    func drop() {
        state.withLock { state in
            state.value = nil
            state.renewal = nil
            state.generation &+= 1
        }
    }
}

extension AzureServicesCache.Lease where Value == AzureServices {
    /// The leased Azure clients.
    var services: AzureServices { value }
}
