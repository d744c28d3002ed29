import CofferStorage
import Logging
import Synchronization

/// The HA election of one unsealed node (docs/ha.md § Election): it competes for the lock, becomes active when it
/// wins (fencing the store's writes at its epoch, then loading everything), renews the lease, and steps down when
/// the lease is lost, a write was fenced, `sys/step-down` asks, or the node seals.
///
/// A standby tries the lock every `retryInterval` and reads who holds it. The active node demotes itself once no
/// renewal succeeded for `ttl - demotionMargin`, so a node that was paused (`SIGSTOP`) steps down as soon as it runs
/// again; its writes were already refused by the fence in the store. The core (`Core+HA.swift`) owns one and gives
/// it the two transitions.
///
/// ```swift
/// let coordinator = HACoordinator(configuration: ha, logger: logger, clock: clock)
/// coordinator.bind(activate: { try await core.becomeActive() }, deactivate: { await core.tearDownActive() })
/// coordinator.start()               // after the barrier is unsealed
/// coordinator.requestStepDown()     // sys/step-down
/// await coordinator.stop()          // sealing: steps down and releases the lock
/// ```
final class HACoordinator: Sendable {
    struct Transitions: Sendable {
        let activate: @Sendable () async throws -> Void
        let deactivate: @Sendable () async -> Void
    }

    /// Why a term as the active node ended.
    enum TermEnd: String, Sendable {
        case lost = "the lease was lost"
        case failedToActivate = "loading as the active node failed"
        case fenced = "a write was fenced"
        case stepDown = "step-down was requested"
        case stopping = "the node is sealing"
    }

    private struct State {
        var role: HAStatus.Role = .sealed
        var leader: HAAdvertisement?
        var activeSince: Double?
        var loop: Task<Void, Never>?
        var stopping = false
        var stepDownRequested = false
        var fenced = false
        var transitions: Transitions?
    }

    let configuration: HAConfiguration
    private let logger: Logger
    private let clock: @Sendable () -> Double
    private let signal = HASignal()
    private let state = Mutex(State())

    init(configuration: HAConfiguration, logger: Logger, clock: @escaping @Sendable () -> Double) {
        self.configuration = configuration
        self.logger = logger
        self.clock = clock
        configuration.lock.onFenced { [weak self] in self?.noteFenced() }
    }

    private func noteFenced() {
        state.withLock { $0.fenced = true }
        signal.raise()
    }

    func bind(activate: @escaping @Sendable () async throws -> Void, deactivate: @escaping @Sendable () async -> Void) {
        state.withLock { $0.transitions = Transitions(activate: activate, deactivate: deactivate) }
    }

    var status: HAStatus {
        state.withLock {
            HAStatus(
                role: $0.role, leader: $0.leader, activeSince: $0.activeSince,
                disableForwarding: configuration.disableForwarding)
        }
    }

    /// Starts competing; the store's writes are refused until this node wins.
    func start() {
        configuration.lock.fenceWrites(.refuseAll)
        state.withLock { state in
            guard state.loop == nil else { return }
            state.stopping = false
            state.role = .standby
            state.loop = Task { await self.run() }
        }
    }

    /// Ends the election: an active node steps down and releases the lock. Writes are unfenced again afterwards
    /// (a sealed node's only writes are `sys/init`'s).
    func stop() async {
        let loop = state.withLock { state -> Task<Void, Never>? in
            state.stopping = true
            return state.loop
        }
        signal.raise()
        await loop?.value
        state.withLock { state in
            state.loop = nil
            state.role = .sealed
            state.leader = nil
            state.activeSince = nil
        }
        configuration.lock.fenceWrites(.unfenced)
    }

    /// `sys/step-down` on the active node: gives the lock up and waits `stepDownPause` before competing again.
    func requestStepDown() {
        let active = state.withLock { state -> Bool in
            guard state.role == .active else { return false }
            state.stepDownRequested = true
            return true
        }
        if active { signal.raise() }
    }

    private var isStopping: Bool { state.withLock { $0.stopping } }

    private func run() async {
        let lock = configuration.lock
        let timings = configuration.timings
        while !isStopping {
            lock.fenceWrites(.refuseAll)
            let attemptStarted = ContinuousClock.now
            let epoch: Int64?
            do {
                epoch = try await lock.acquire(value: configuration.advertisement.encoded)
            } catch {
                logger.warning("failed to acquire the HA lock", metadata: ["error": "\(error)"])
                epoch = nil
            }
            guard let epoch else {
                await refreshLeader()
                await signal.wait(upTo: timings.retryInterval)
                continue
            }
            if await serveAsActive(epoch: epoch, since: attemptStarted) == .stepDown {
                await followLeader(for: timings.stepDownPause)
            }
        }
    }

    /// One term as the active node, from winning the lock to stepping down.
    private func serveAsActive(epoch: Int64, since acquired: ContinuousClock.Instant) async -> TermEnd {
        let lock = configuration.lock
        lock.fenceWrites(.epoch(epoch))
        let transitions = state.withLock { state -> Transitions? in
            state.fenced = false
            state.stepDownRequested = false
            return state.transitions
        }
        guard let transitions else { return .stopping }
        do {
            try await transitions.activate()
        } catch {
            logger.error("failed to become the active node", metadata: ["epoch": "\(epoch)", "error": "\(error)"])
            await endTerm(epoch: epoch, reason: .failedToActivate, transitions: transitions)
            await signal.wait(upTo: configuration.timings.retryInterval)
            return .failedToActivate
        }
        state.withLock { state in
            state.role = .active
            state.leader = configuration.advertisement
            state.activeSince = clock()
        }
        logger.info("this node is the active node", metadata: ["epoch": "\(epoch)"])
        let reason = await holdLease(epoch: epoch, since: acquired)
        logger.info("stepping down", metadata: ["epoch": "\(epoch)", "reason": "\(reason.rawValue)"])
        await endTerm(epoch: epoch, reason: reason, transitions: transitions)
        return reason
    }

    private func endTerm(epoch: Int64, reason: TermEnd, transitions: Transitions) async {
        let lock = configuration.lock
        lock.fenceWrites(.refuseAll)
        state.withLock { state in
            state.role = .standby
            state.leader = nil
            state.activeSince = nil
        }
        await transitions.deactivate()
        // A lost or fenced lease is no longer ours to release.
        guard reason != .lost && reason != .fenced else { return }
        do {
            try await lock.release(epoch: epoch)
        } catch {
            logger.warning("failed to release the HA lock; it lapses by itself", metadata: ["error": "\(error)"])
        }
    }

    /// Renews every `renewInterval` until the term ends. The last successful renewal is timed from before its
    /// statement was sent, so the node demotes itself before the lease it holds can have lapsed.
    private func holdLease(epoch: Int64, since acquired: ContinuousClock.Instant) async -> TermEnd {
        let timings = configuration.timings
        var renewed = acquired
        while true {
            await signal.wait(upTo: timings.renewInterval)
            if let end = requestedEnd() { return end }
            guard ContinuousClock.now - renewed < timings.ttl - timings.demotionMargin else { return .lost }
            let attempt = ContinuousClock.now
            do {
                guard try await configuration.lock.renew(epoch: epoch) else { return .lost }
                renewed = attempt
            } catch {
                logger.warning("failed to renew the HA lock", metadata: ["epoch": "\(epoch)", "error": "\(error)"])
            }
        }
    }

    private func requestedEnd() -> TermEnd? {
        state.withLock { state in
            if state.stopping { return .stopping }
            if state.fenced { return .fenced }
            if state.stepDownRequested { return .stepDown }
            return nil
        }
    }

    /// After a step-down: a standby that does not compete for `pause`, but still learns who won, so it forwards.
    private func followLeader(for pause: Duration) async {
        let end = ContinuousClock.now + pause
        while !isStopping, ContinuousClock.now < end {
            await refreshLeader()
            await signal.wait(upTo: min(configuration.timings.retryInterval, end - ContinuousClock.now))
        }
    }

    /// A standby reads who holds the lock, for forwarding and `sys/leader`.
    private func refreshLeader() async {
        let leader: HAAdvertisement?
        do {
            let holder = try await configuration.lock.holder()
            leader = holder.flatMap { $0.identity == configuration.lock.identity ? nil : HAAdvertisement(decoding: $0.value) }
        } catch {
            logger.warning("failed to read the HA lock's holder", metadata: ["error": "\(error)"])
            leader = nil
        }
        state.withLock { state in
            if state.role == .standby { state.leader = leader }
        }
    }
}
