import CofferCore
import CofferFramework
import CofferStorage
import CofferTesting
import Crypto
import Testing

@testable import CofferHTTP

/// What the nodes of an HA cluster answer over HTTP (docs/http-api.md § Standbys): `sys/leader` and `sys/health` in
/// each role, transparent forwarding from a standby, redirects, the signed client address, step-down, and the
/// errors when no node is active. The nodes share an in-memory store and a ``MemoryHALockTable`` lock.
@Suite struct StandbyHTTPTests {
    static func root(_ cluster: HATestCluster) -> [String: String] { ["X-Vault-Token": cluster.rootToken] }

    @Test func leaderOnTheActiveNodeAndOnAStandby() async throws {
        try await HATestCluster.with(nodes: 2) { cluster in
            let (active, standby) = (cluster.nodes[0], cluster.nodes[1])
            let onActive = try await TestHTTP.send("GET", active.url + "/v1/sys/leader")
            #expect(onActive.status == 200)
            let mine = try #require(onActive.json)
            #expect(mine["ha_enabled"]?.boolValue == true)
            #expect(mine["is_self"]?.boolValue == true)
            #expect(mine["leader_address"]?.stringValue == active.url)
            #expect(mine["leader_cluster_address"]?.stringValue == "https://127.0.0.1:\(active.server.port + 1)")
            #expect(mine["performance_standby"]?.boolValue == false)
            let since = try #require(mine["active_time"]?.stringValue.flatMap(RFC3339.parse))
            #expect(abs(Double(since.seconds) - active.core.now) < 60)

            let onStandby = try await TestHTTP.send("GET", standby.url + "/v1/sys/leader")
            #expect(onStandby.status == 200)
            let theirs = try #require(onStandby.json)
            #expect(theirs["ha_enabled"]?.boolValue == true)
            #expect(theirs["is_self"]?.boolValue == false)
            #expect(theirs["leader_address"]?.stringValue == active.url)
            #expect(theirs["leader_cluster_address"]?.stringValue == mine["leader_cluster_address"]?.stringValue)
            #expect(theirs["active_time"]?.stringValue == "0001-01-01T00:00:00Z")
        }
    }

    @Test func healthOfTheActiveNodeAndOfAStandby() async throws {
        try await HATestCluster.with(nodes: 2) { cluster in
            let (active, standby) = (cluster.nodes[0], cluster.nodes[1])
            let onActive = try await TestHTTP.send("GET", active.url + "/v1/sys/health")
            #expect(onActive.status == 200)
            #expect(onActive.json?["standby"]?.boolValue == false)

            let onStandby = try await TestHTTP.send("GET", standby.url + "/v1/sys/health")
            #expect(onStandby.status == 429)
            #expect(onStandby.json?["standby"]?.boolValue == true)
            #expect(onStandby.json?["sealed"]?.boolValue == false)
            #expect(onStandby.json?["initialized"]?.boolValue == true)
            #expect(try await TestHTTP.send("GET", standby.url + "/v1/sys/health?standbyok=true").status == 200)
            #expect(
                try await TestHTTP.send("GET", standby.url + "/v1/sys/health?standbyok=true&activecode=204").status
                    == 204)
            #expect(try await TestHTTP.send("GET", standby.url + "/v1/sys/health?standbycode=299").status == 299)
            let head = try await TestHTTP.send("HEAD", standby.url + "/v1/sys/health")
            #expect(head.status == 429)
            #expect(head.body.isEmpty)
        }
    }

    @Test func aStandbyForwardsReadsWritesAndListsTransparently() async throws {
        try await HATestCluster.with(nodes: 2) { cluster in
            let (active, standby) = (cluster.nodes[0], cluster.nodes[1])
            let root = Self.root(cluster)
            let write = try await TestHTTP.send(
                "PUT", standby.url + "/v1/cubbyhole/app", headers: root, body: #"{"password":"s3cret"}"#)
            #expect(write.status == 204)
            #expect(!standby.core.isActive)

            let viaStandby = try await TestHTTP.send("GET", standby.url + "/v1/cubbyhole/app", headers: root)
            let viaActive = try await TestHTTP.send("GET", active.url + "/v1/cubbyhole/app", headers: root)
            #expect(viaStandby.status == 200)
            #expect(viaStandby.json?["data"]?["password"]?.stringValue == "s3cret")
            #expect(viaStandby.json?["data"] == viaActive.json?["data"])
            #expect(viaStandby.header("Content-Type") == viaActive.header("Content-Type"))
            #expect(viaStandby.header("Content-Length") == String(viaStandby.body.utf8.count))

            for list in [
                try await TestHTTP.send("LIST", standby.url + "/v1/cubbyhole/", headers: root),
                try await TestHTTP.send("GET", standby.url + "/v1/cubbyhole/?list=true", headers: root),
            ] {
                #expect(list.status == 200)
                #expect(list.json?["data"]?["keys"]?.arrayValue?.compactMap(\.stringValue) == ["app"])
            }

            let anonymous = try await TestHTTP.send("GET", standby.url + "/v1/cubbyhole/app")
            let anonymousAtActive = try await TestHTTP.send("GET", active.url + "/v1/cubbyhole/app")
            #expect(anonymous.status == 403)
            #expect(anonymous.body == anonymousAtActive.body)
        }
    }

    /// The active node takes a standby's word for the client's address only with a valid signature: a token bound
    /// to 10.1.2.3 works from 127.0.0.1 only when a cluster member signed that 10.1.2.3 is the client.
    @Test func theForwardedClientAddressNeedsTheClustersSignature() async throws {
        try await HATestCluster.with(nodes: 2) { cluster in
            let (active, standby) = (cluster.nodes[0], cluster.nodes[1])
            let root = Self.root(cluster)
            let role = try await TestHTTP.send(
                "PUT", active.url + "/v1/auth/token/roles/bound", headers: root,
                body: #"{"token_bound_cidrs":["10.1.2.3/32"],"allowed_policies":["default"]}"#)
            #expect(role.status == 204)
            let created = try await TestHTTP.send(
                "PUT", active.url + "/v1/auth/token/create/bound", headers: root, body: #"{"policies":["default"]}"#)
            let token = try #require(created.json?["auth"]?["client_token"]?.stringValue, "\(created.body)")
            #expect(created.json?["auth"]?["policies"]?.arrayValue == ["default"])
            let target = "/v1/auth/token/lookup-self"
            let signed = try #require(
                await standby.core.signForwardedRequest(client: "10.1.2.3", method: "GET", target: target))
            let otherClient = try #require(
                await standby.core.signForwardedRequest(client: "10.9.9.9", method: "GET", target: target))
            let otherTarget = try #require(
                await standby.core.signForwardedRequest(client: "10.1.2.3", method: "GET", target: "/v1/sys/mounts"))

            func lookup(_ headers: [String: String]) async throws -> Int {
                var headers = headers
                headers["X-Vault-Token"] = token
                return try await TestHTTP.send("GET", active.url + target, headers: headers).status
            }
            #expect(try await lookup([:]) == 403)
            #expect(try await lookup(["X-Coffer-Forwarded-For": "10.1.2.3"]) == 403)
            #expect(
                try await lookup(["X-Coffer-Forwarded-For": "10.1.2.3", "X-Coffer-Forwarding-Signature": otherClient])
                    == 403)
            #expect(
                try await lookup(["X-Coffer-Forwarded-For": "10.1.2.3", "X-Coffer-Forwarding-Signature": otherTarget])
                    == 403)
            #expect(
                try await lookup(["X-Coffer-Forwarded-For": "10.1.2.3", "X-Coffer-Forwarding-Signature": signed]) == 200
            )
        }
    }

    @Test func aForwardedRequestIsNeverForwardedAgain() async throws {
        try await HATestCluster.with(nodes: 2) { cluster in
            let answer = try await TestHTTP.send(
                "GET", cluster.nodes[1].url + "/v1/cubbyhole/app",
                headers: ["X-Vault-Token": cluster.rootToken, "X-Coffer-Forwarded-For": "10.1.2.3"])
            #expect(answer.status == 503)
            #expect(answer.errors == ["local node not active but active cluster node not found"])
        }
    }

    @Test func redirectWhenTheClientOrTheNodeAsksForIt() async throws {
        try await HATestCluster.with(nodes: 3, redirecting: [2]) { cluster in
            let active = cluster.nodes[0]
            let asked = try await TestHTTP.send(
                "GET", cluster.nodes[1].url + "/v1/cubbyhole/app?version=2",
                headers: ["X-Vault-Token": cluster.rootToken, "X-Vault-No-Request-Forwarding": "true"])
            #expect(asked.status == 307)
            #expect(asked.header("Location") == active.url + "/v1/cubbyhole/app?version=2")
            #expect(asked.body.isEmpty)

            let configured = try await TestHTTP.send(
                "PUT", cluster.nodes[2].url + "/v1/cubbyhole/app", headers: Self.root(cluster), body: "{}")
            #expect(configured.status == 307)
            #expect(configured.header("Location") == active.url + "/v1/cubbyhole/app")
            // The status endpoints are still answered by the redirecting node itself.
            #expect(try await TestHTTP.send("GET", cluster.nodes[2].url + "/v1/sys/health").status == 429)
        }
    }

    @Test func redirectWhenTheActiveNodeCannotBeReached() async throws {
        try await HATestCluster.with(nodes: 2) { cluster in
            let (active, standby) = (cluster.nodes[0], cluster.nodes[1])
            await active.server.stop()
            let answer = try await TestHTTP.send("GET", standby.url + "/v1/sys/mounts", headers: Self.root(cluster))
            #expect(answer.status == 307)
            #expect(answer.header("Location") == active.url + "/v1/sys/mounts")
        }
    }

    /// The active node stops answering (paused) and another takes over: a request waiting on the old one is
    /// redirected to the new one instead of hanging.
    @Test func aRequestWaitingOnAnActiveNodeThatWasReplacedIsRedirected() async throws {
        let physical = MemoryPhysical()
        let table = MemoryHALockTable()
        let key = SymmetricKey(size: .bits256)
        let hung = try await LoopbackServer.start(responder: HangingResponder(), logger: StandbyForwarderTests.logger)
        let first = try await HATestCluster.startNode(physical: physical, table: table, name: "node-0")
        let second = try await HATestCluster.startNode(physical: physical, table: table, name: "node-1")
        do {
            let root = try await first.core.initialize(sealKey: key)
            #expect(await HATestCluster.eventually { first.role == .active })
            await first.core.seal()
            let advertisement = { (url: String) in
                HAAdvertisement(apiAddress: url, clusterAddress: HAAdvertisement.defaultClusterAddress(apiAddress: url))
                    .encoded
            }
            table.seize(value: advertisement(hung.url), ttl: .seconds(600))
            try await second.core.unseal(sealKey: key)
            #expect(await HATestCluster.eventually { second.core.haStatus.leader?.apiAddress == hung.url })

            let waiting = Task {
                try await TestHTTP.send("GET", second.url + "/v1/cubbyhole/x?a=1", headers: ["X-Vault-Token": root])
            }
            try await Task.sleep(for: .milliseconds(500))
            let successor = "http://127.0.0.1:9"
            table.seize(value: advertisement(successor), ttl: .seconds(600))
            let answer = try await waiting.value
            #expect(answer.status == 307)
            #expect(answer.header("Location") == successor + "/v1/cubbyhole/x?a=1")
        } catch {
            await HATestCluster.stop([first, second])
            await hung.stop()
            throw error
        }
        await HATestCluster.stop([first, second])
        await hung.stop()
    }

    @Test func aStandbyRefusesToSeal() async throws {
        try await HATestCluster.with(nodes: 2) { cluster in
            let standby = cluster.nodes[1]
            let answer = try await TestHTTP.send("PUT", standby.url + "/v1/sys/seal", headers: Self.root(cluster))
            #expect(answer.status == 500)
            #expect(answer.errors == ["vault cannot seal when in standby mode; please restart instead"])
            #expect(!standby.core.isSealed)
        }
    }

    /// `sys/step-down` sent to a standby reaches the active node (sudo checked there), which hands the lock over.
    @Test func stepDownThroughAStandbyMovesTheActiveRole() async throws {
        try await HATestCluster.with(nodes: 2) { cluster in
            let (first, second) = (cluster.nodes[0], cluster.nodes[1])
            let root = Self.root(cluster)
            #expect(
                try await TestHTTP.send("PUT", second.url + "/v1/cubbyhole/app", headers: root, body: #"{"a":"1"}"#)
                    .status == 204)
            let refused = try await TestHTTP.send("PUT", second.url + "/v1/sys/step-down")
            #expect(refused.status == 403)
            #expect(first.role == .active)

            let stepped = try await TestHTTP.send("PUT", second.url + "/v1/sys/step-down", headers: root)
            #expect(stepped.status == 204)
            #expect(await HATestCluster.eventually { second.role == .active && first.role == .standby })
            #expect(
                await HATestCluster.eventually {
                    let leader = try? await TestHTTP.send("GET", first.url + "/v1/sys/leader")
                    return leader?.json?["leader_address"]?.stringValue == second.url
                })
            let read = try await TestHTTP.send("GET", first.url + "/v1/cubbyhole/app", headers: root)
            #expect(read.status == 200)
            #expect(read.json?["data"]?["a"]?.stringValue == "1")
        }
    }

    /// The lock is held by something that advertised no address: no node can be forwarded or redirected to.
    @Test func noActiveNodeKnown() async throws {
        let physical = MemoryPhysical()
        let table = MemoryHALockTable()
        let key = SymmetricKey(size: .bits256)
        let first = try await HATestCluster.startNode(physical: physical, table: table, name: "node-0")
        let second = try await HATestCluster.startNode(physical: physical, table: table, name: "node-1")
        do {
            let root = try await first.core.initialize(sealKey: key)
            #expect(await HATestCluster.eventually { first.role == .active })
            await first.core.seal()
            table.seize(value: "not an advertisement", ttl: .seconds(600))
            try await second.core.unseal(sealKey: key)
            #expect(second.role == .standby)

            let leader = try await TestHTTP.send("GET", second.url + "/v1/sys/leader")
            #expect(leader.json?["ha_enabled"]?.boolValue == true)
            #expect(leader.json?["is_self"]?.boolValue == false)
            #expect(leader.json?["leader_address"]?.stringValue == "")
            #expect(leader.json?["active_time"]?.stringValue == "0001-01-01T00:00:00Z")
            #expect(try await TestHTTP.send("GET", second.url + "/v1/sys/health").status == 429)

            let forwarding = try await TestHTTP.send(
                "GET", second.url + "/v1/cubbyhole/x", headers: ["X-Vault-Token": root])
            #expect(forwarding.status == 503)
            #expect(forwarding.errors == ["local node not active but active cluster node not found"])
            let redirecting = try await TestHTTP.send(
                "GET", second.url + "/v1/cubbyhole/x",
                headers: ["X-Vault-Token": root, "X-Vault-No-Request-Forwarding": "1"])
            #expect(redirecting.status == 503)
            #expect(redirecting.errors == ["no active Vault instance found"])

            // The sealed node of a cluster knows no leader.
            let sealed = try await TestHTTP.send("GET", first.url + "/v1/sys/leader")
            #expect(sealed.status == 503)
            #expect(sealed.errors == ["Vault is sealed"])
            #expect(try await TestHTTP.send("GET", first.url + "/v1/sys/health").status == 503)
        } catch {
            await HATestCluster.stop([first, second])
            throw error
        }
        await HATestCluster.stop([first, second])
    }

    @Test func withoutHALeaderSaysSoAndHealthIsNotStandby() async throws {
        let harness = try await CoreHarness.make()
        try await LoopbackVault.with(harness.core) { vault in
            let leader = try await vault.send("GET", "sys/leader", token: nil)
            #expect(leader.statusCode == 200)
            let body = try JSONParser.parse(Array(leader.body))
            #expect(body["ha_enabled"]?.boolValue == false)
            #expect(body["is_self"]?.boolValue == false)
            #expect(body["leader_address"]?.stringValue == "")
            #expect(body["active_time"]?.stringValue == "0001-01-01T00:00:00Z")
            let health = try await vault.send("GET", "sys/health", token: nil)
            #expect(health.statusCode == 200)
            #expect(try JSONParser.parse(Array(health.body))["standby"]?.boolValue == false)
        }
    }
}
