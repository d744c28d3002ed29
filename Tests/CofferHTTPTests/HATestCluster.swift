import CofferCore
import CofferHTTP
import CofferStorage
import CofferTesting
import Crypto
import Logging

/// Coffer nodes of one HA cluster in this process (docs/http-api.md § Standbys): each a ``Core`` on the same
/// in-memory store with a ``MemoryHALockTable`` lock and a static seal, served by the real ``VaultResponder`` on its
/// own loopback port, which is also its `api_addr`. Node 0 initialises the store and becomes active; the others
/// unseal and become standbys.
///
/// ```swift
/// try await HATestCluster.with(nodes: 2) { cluster in
///     let answer = try await TestHTTP.send("GET", cluster.nodes[1].url + "/v1/sys/leader")
///     #expect(answer.json?["leader_address"]?.stringValue == cluster.nodes[0].url)
/// }
/// ```
struct HATestCluster: Sendable {
    struct Node: Sendable {
        let core: Core
        let server: LoopbackServer
        var url: String { server.url }
        var role: HAStatus.Role { core.haStatus.role }
    }

    let physical: MemoryPhysical
    let table: MemoryHALockTable
    let sealKey: SymmetricKey
    let rootToken: String
    let nodes: [Node]

    static let lockTTL = Duration.seconds(3)

    /// Starts `nodes` nodes (those in `redirecting` with `disable_forwarding`), runs `body`, stops them all.
    static func with<T: Sendable>(
        nodes count: Int, redirecting: Set<Int> = [], _ body: (HATestCluster) async throws -> T
    ) async throws -> T {
        let physical = MemoryPhysical()
        let table = MemoryHALockTable()
        let sealKey = SymmetricKey(size: .bits256)
        var nodes: [Node] = []
        do {
            for index in 0..<count {
                nodes.append(
                    try await startNode(
                        physical: physical, table: table, name: "node-\(index)",
                        disableForwarding: redirecting.contains(index)))
            }
            let root = try await nodes[0].core.initialize(sealKey: sealKey)
            guard await eventually({ nodes[0].role == .active }) else {
                throw ClusterError("node 0 never became active")
            }
            for node in nodes.dropFirst() {
                try await node.core.unseal(sealKey: sealKey)
            }
            guard await eventually({ nodes.dropFirst().allSatisfy { $0.core.haStatus.leader != nil } }) else {
                throw ClusterError("the standbys never saw the active node")
            }
            let cluster = HATestCluster(
                physical: physical, table: table, sealKey: sealKey, rootToken: root, nodes: nodes)
            let result = try await body(cluster)
            await stop(nodes)
            return result
        } catch {
            await stop(nodes)
            throw error
        }
    }

    /// One node, listening but sealed, whose lock is `table`'s.
    static func startNode(
        physical: MemoryPhysical, table: MemoryHALockTable, name: String, disableForwarding: Bool = false
    ) async throws -> Node {
        var logger = Logger(label: "coffer-ha-tests")
        logger.logLevel = .critical
        let deferred = DeferredResponder()
        let server = try await LoopbackServer.start(responder: deferred, logger: logger)
        var timings = HATimings(ttl: lockTTL)
        timings.retryInterval = .milliseconds(100)
        timings.stepDownPause = .seconds(1)
        var configuration = CoreConfiguration()
        configuration.logger = logger
        configuration.apiAddress = server.url
        configuration.ha = HAConfiguration(
            lock: table.lock(identity: name, ttl: lockTTL),
            advertisement: HAAdvertisement(
                apiAddress: server.url, clusterAddress: HAAdvertisement.defaultClusterAddress(apiAddress: server.url)),
            disableForwarding: disableForwarding, timings: timings)
        let core = Core(barrier: Barrier(physical: physical), configuration: configuration)
        deferred.set(VaultResponder(core: core, logger: logger))
        return Node(core: core, server: server)
    }

    static func stop(_ nodes: [Node]) async {
        for node in nodes {
            await node.server.stop()
            await node.core.seal()
        }
    }

    /// Polls `condition` every 20 ms for up to `limit`.
    static func eventually(within limit: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return await condition()
    }

    struct ClusterError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}
