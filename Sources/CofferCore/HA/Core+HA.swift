import CofferFramework
import CofferStorage
import Crypto

/// The core's side of HA (docs/ha.md): an unsealed node of a cluster is a standby until its ``HACoordinator`` wins the
/// lock; then it loads everything as a single node does at unseal, and drops it all again when it steps down.
extension Core {
    /// Where this node stands; ``HAStatus/disabled`` without HA.
    public var haStatus: HAStatus { ha?.status ?? .disabled }

    /// Unsealed and serving requests itself: a single node, or the active node of a cluster.
    public var isActive: Bool { state.withLock { $0 != nil } }

    /// After the barrier opened: a single node loads everything; a node of a cluster starts competing.
    func activateOrStartElection() async throws {
        guard let ha else { return try await setupUnsealed() }
        // A standby reports the cluster's name and id (sys/health) without loading anything else.
        if let cluster = try await ClusterIdentity.stored(barrier) { clusterIdentity.withLock { $0 = cluster } }
        metrics.sealChanged(sealed: false)
        ha.start()
    }

    /// The coordinator won the lock (writes are fenced at its epoch): picks up what the previous active node
    /// changed (keyring terms, every cached read), then loads as at unseal.
    func becomeActive() async throws {
        try await barrier.reloadKeyring()
        try await setupUnsealed()
        let key = try await ForwardedRequestSignature.loadKey(storage: barrier, create: true)
        forwardingKey.withLock { $0 = key }
    }

    /// `PUT sys/step-down` on the active node (sudo on `sys/step-down`): 204 at once, the lock is handed over in the
    /// background. Without HA, or sealed, nothing is checked and nothing happens (Vault).
    public func stepDown(token: String?, remoteAddress: String?) async throws(LogicalError) {
        guard let ha, haStatus.role == .active else { return }
        guard try await authorizeSudo(path: "sys/step-down", token: token, remoteAddress: remoteAddress) else { return }
        ha.requestStepDown()
    }

    /// The signature a standby adds to a request it forwards (``ForwardedRequestSignature``); nil when this node
    /// cannot read the cluster's key yet (no node was active since it was created).
    public func signForwardedRequest(client: String, method: String, target: String) async -> String? {
        guard let key = await clusterForwardingKey() else { return nil }
        return ForwardedRequestSignature.sign(key: key, time: now, client: client, method: method, target: target)
    }

    /// Whether `signature` proves the request came through a standby of this cluster.
    public func verifyForwardedRequest(_ signature: String, client: String, method: String, target: String) async -> Bool {
        guard let key = await clusterForwardingKey() else { return false }
        return ForwardedRequestSignature.verify(
            signature, key: key, now: now, client: client, method: method, target: target)
    }

    private func clusterForwardingKey() async -> SymmetricKey? {
        guard ha != nil else { return nil }
        if let key = forwardingKey.withLock({ $0 }) { return key }
        // A standby's read cache may hold the key's absence from before any node was active.
        if !isActive { barrier.purgeCachedReads() }
        guard let key = try? await ForwardedRequestSignature.loadKey(storage: barrier, create: false) else { return nil }
        forwardingKey.withLock { $0 = key }
        return key
    }
}
