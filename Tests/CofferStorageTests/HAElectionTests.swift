import CofferCore
import CofferFramework
import Crypto
import Logging
import PostgresNIO
import Synchronization
import Testing

@testable import CofferPostgres
@testable import CofferStorage

/// Two cores of one HA cluster on the PostgreSQL test database (here, beside the lock's own tests, because they share
/// that database): one active node at a time, standbys that refuse work and writes, step-down, a deposed node fenced,
/// and a new active node that reads what the old one wrote under a rotated keyring.
@Suite(.enabled(if: PostgresTestDatabase.isEnabled, PostgresTestDatabase.skipReason))
struct HAElectionTests {
    /// One node: its store, lock and core.
    struct Node: Sendable {
        let name: String
        let physical: PostgresPhysical
        let core: Core

        var isActive: Bool { core.haStatus.role == .active }

        func write(policy name: String, token: String) async -> Int {
            await core.handle(
                CoreRequest(
                    operation: .update, path: "sys/policies/acl/\(name)",
                    data: ["policy": "path \"x/*\" { capabilities = [\"read\"] }"], token: token)
            ).status
        }

        func read(policy name: String, token: String) async -> Int {
            await core.handle(CoreRequest(operation: .read, path: "sys/policies/acl/\(name)", token: token)).status
        }
    }

    static let ttl = Duration.seconds(2)

    func withCluster(_ body: (Node, Node, String, PostgresStorageConfiguration) async throws -> Void) async throws {
        var settings = try PostgresTestDatabase.settings()
        settings.haTable = settings.table + "_ha"
        let key = SymmetricKey(size: .bits256)
        var nodes: [Node] = []
        for name in ["a", "b"] {
            let physical = try await PostgresPhysical.open(settings, logger: testLogger)
            var timings = HATimings(ttl: Self.ttl)
            // Longer than a standby's retry interval, so the other node wins after a step-down (Vault waits 10 s).
            timings.stepDownPause = .seconds(4)
            var configuration = CoreConfiguration()
            configuration.logger = testLogger
            configuration.storageType = "postgresql"
            configuration.ha = HAConfiguration(
                lock: try await physical.haLock(identity: "node-\(name)", ttl: Self.ttl),
                advertisement: HAAdvertisement(
                    apiAddress: "http://node-\(name):8200", clusterAddress: "https://node-\(name):8201"),
                timings: timings)
            nodes.append(Node(name: name, physical: physical, core: Core(barrier: Barrier(physical: physical), configuration: configuration)))
        }
        do {
            let root = try await nodes[0].core.initialize(sealKey: key)
            _ = try await nodes[1].core.sealManager.load()
            try await nodes[1].core.unseal(sealKey: key)
            try await body(nodes[0], nodes[1], root, settings)
        } catch {
            await close(nodes, settings)
            throw error
        }
        await close(nodes, settings)
    }

    func close(_ nodes: [Node], _ settings: PostgresStorageConfiguration) async {
        for node in nodes {
            await node.core.seal()
            await node.physical.close()
        }
        try? await PostgresTestDatabase.dropTables(settings)
        try? await PostgresTestDatabase.withClient(settings) { client in
            try await client.query("DROP TABLE IF EXISTS \(unescaped: "\"\(settings.haTable)\"")")
        }
    }

    /// Polls `condition` every 50 ms for up to `limit`.
    func eventually(within limit: Duration = .seconds(20), _ condition: () async -> Bool) async -> Bool {
        let end = ContinuousClock.now + limit
        while ContinuousClock.now < end {
            if await condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return await condition()
    }

    func activeAndStandby(_ a: Node, _ b: Node) async -> (Node, Node)? {
        guard await eventually({ a.isActive != b.isActive }) else { return nil }
        return a.isActive ? (a, b) : (b, a)
    }

    @Test func oneNodeIsActiveAndTheStandbyServesNothingAndWritesNothing() async throws {
        try await withCluster { a, b, root, _ in
            let (active, standby) = try #require(await activeAndStandby(a, b))
            #expect(await active.write(policy: "p1", token: root) == 204)
            #expect(await eventually { standby.core.haStatus.leader?.apiAddress == "http://node-\(active.name):8200" })
            #expect(standby.core.haStatus.role == .standby)
            #expect(!standby.core.isSealed)
            let refused = await standby.core.handle(
                CoreRequest(operation: .read, path: "sys/policies/acl/p1", token: root))
            #expect(refused.status == 503)
            await #expect(throws: HAFencedError.self) { try await standby.physical.put("x", value: [1]) }
            #expect(active.core.haStatus.activeSince != nil)
            #expect(!standby.core.clusterID.isEmpty && standby.core.clusterID == active.core.clusterID)
        }
    }

    @Test func stepDownHandsTheActiveRoleToTheOtherNode() async throws {
        try await withCluster { a, b, root, _ in
            let (active, standby) = try #require(await activeAndStandby(a, b))
            #expect(await active.write(policy: "before", token: root) == 204)
            try await active.core.stepDown(token: root, remoteAddress: "127.0.0.1")
            #expect(await eventually { standby.isActive && !active.isActive })
            #expect(await standby.read(policy: "before", token: root) == 200)
            #expect(await active.read(policy: "before", token: root) == 503)
            await #expect(throws: HAFencedError.self) { try await active.physical.put("x", value: [1]) }
        }
    }

    @Test func stepDownNeedsSudo() async throws {
        try await withCluster { a, b, root, _ in
            let (active, _) = try #require(await activeAndStandby(a, b))
            let created = await active.core.handle(
                CoreRequest(operation: .update, path: "auth/token/create", data: ["policies": ["default"]], token: root))
            guard case .envelope(let envelope) = created.body, let token = envelope.auth?["client_token"]?.stringValue
            else {
                Issue.record("no token created: \(created.status)")
                return
            }
            await #expect(throws: LogicalError.self) {
                try await active.core.stepDown(token: token, remoteAddress: "127.0.0.1")
            }
            try await Task.sleep(for: .seconds(1))
            #expect(active.isActive)
        }
    }

    /// The lease lapses behind the active node's back (as if it had been paused), the other node takes over, and the
    /// old node's write fails instead of landing; it then serves as a standby.
    @Test func aDeposedNodeIsFencedAndStepsDown() async throws {
        try await withCluster { a, b, root, settings in
            let (active, standby) = try #require(await activeAndStandby(a, b))
            try await PostgresTestDatabase.withClient(settings) { client in
                try await client.query(
                    "UPDATE \(unescaped: "\"\(settings.haTable)\"") SET valid_until = NOW() - INTERVAL '1 second'")
            }
            #expect(await eventually { standby.isActive })
            let stale = await active.write(policy: "stale", token: root)
            #expect(stale == 503)
            #expect(await eventually { active.core.haStatus.role == .standby })
            #expect(await standby.read(policy: "stale", token: root) == 404)
        }
    }

    @Test func aNewActiveNodeReadsWhatWasWrittenUnderARotatedKeyring() async throws {
        try await withCluster { a, b, root, _ in
            let (active, standby) = try #require(await activeAndStandby(a, b))
            let rotated = await active.core.handle(CoreRequest(operation: .update, path: "sys/rotate", token: root))
            #expect(rotated.status == 204)
            #expect(await active.write(policy: "after-rotation", token: root) == 204)
            try await active.core.stepDown(token: root, remoteAddress: "127.0.0.1")
            #expect(await eventually { standby.isActive })
            #expect(await standby.read(policy: "after-rotation", token: root) == 200)
        }
    }
}
