import CofferHTTP
import CofferTesting
import HTTPTypes
import Hummingbird
import Logging
import Synchronization
import Testing

@testable import CofferHTTP

/// ``StandbyForwarder`` against a loopback server standing in for the active node (docs/http-api.md § Standbys).
@Suite struct StandbyForwarderTests {
    static var logger: Logger {
        var logger = Logger(label: "coffer-forwarder-tests")
        logger.logLevel = .critical
        return logger
    }

    /// Runs `body` with a forwarder and an ``EchoResponder`` listening on loopback.
    func withEcho(_ body: (StandbyForwarder, EchoResponder, LoopbackServer) async throws -> Void) async throws {
        let echo = EchoResponder()
        let server = try await LoopbackServer.start(responder: echo, logger: Self.logger)
        let forwarder = StandbyForwarder(logger: Self.logger)
        do {
            try await body(forwarder, echo, server)
        } catch {
            await forwarder.shutdown()
            await server.stop()
            throw error
        }
        await forwarder.shutdown()
        await server.stop()
    }

    @Test func relaysMethodTargetHeadersAndBodyAndReturnsTheAnswer() async throws {
        try await withEcho { forwarder, echo, server in
            var headers = HTTPFields()
            for (name, value) in [
                ("X-Vault-Token", "hvs.client-token"), ("X-Custom", "kept"), ("Connection", "keep-alive, X-Private"),
                ("X-Private", "named by Connection"), ("Keep-Alive", "timeout=5"), ("TE", "trailers"),
                ("Upgrade", "h2c"), ("Proxy-Authorization", "Basic eA=="), ("Host", "elsewhere.example"),
                ("X-Coffer-Method", "LIST"), ("X-Coffer-Forwarded-For", "6.6.6.6"),
                ("X-Coffer-Forwarding-Signature", "forged"), ("Content-Type", "application/json"),
            ] {
                headers.append(HTTPField(name: HTTPField.Name(name)!, value: value))
            }
            let signedTargets = Mutex<[String]>([])
            let outcome = await forwarder.forward(
                .init(
                    method: "LIST", target: "/v1/secret/metadata/app/?list=true&x=%20y", headers: headers,
                    body: Array(#"{"k":"v"}"#.utf8), client: "10.9.8.7"),
                to: server.url
            ) { target in
                signedTargets.withLock { $0.append(target) }
                return "signed:" + target
            }
            guard case .answered(let response) = outcome else {
                Issue.record("not answered: \(outcome)")
                return
            }
            #expect(response.status.code == 201)
            #expect(response.headers[HTTPField.Name("X-Answer")!] == "yes")
            #expect(response.headers[.contentType] == "application/json")
            #expect(response.headers[HTTPField.Name("Keep-Alive")!] == nil)
            #expect(response.headers[HTTPField.Name("Proxy-Authenticate")!] == nil)
            let collected = try await ResponseBodyCollector.bytes(of: response.body)
            #expect(String(decoding: collected, as: UTF8.self) == EchoResponder.answerBody)

            let received = try #require(echo.received.last)
            #expect(received.method == "LIST")
            #expect(received.target == "/v1/secret/metadata/app/?list=true&x=%20y")
            #expect(String(decoding: received.body, as: UTF8.self) == #"{"k":"v"}"#)
            func header(_ name: String) -> String? { received.headers[HTTPField.Name(name)!] }
            #expect(header("X-Vault-Token") == "hvs.client-token")
            #expect(header("X-Custom") == "kept")
            #expect(header("Content-Type") == "application/json")
            #expect(received.authority == "127.0.0.1:\(server.port)")
            for dropped in ["X-Private", "Keep-Alive", "TE", "Upgrade", "Proxy-Authorization"] {
                #expect(header(dropped) == nil, "\(dropped) was relayed")
            }
            #expect(header("X-Coffer-Forwarded-For") == "10.9.8.7")
            #expect(header("X-Coffer-Forwarding-Signature") == "signed:/v1/secret/metadata/app/?list=true&x=%20y")
            #expect(signedTargets.withLock { $0 } == ["/v1/secret/metadata/app/?list=true&x=%20y"])
        }
    }

    /// The client library re-encodes some characters; the signature covers the target the active node receives.
    @Test func signsTheTargetAsSentOnTheWire() async throws {
        try await withEcho { forwarder, echo, server in
            let outcome = await forwarder.forward(
                .init(method: "GET", target: "/v1/a|b?q={x}", headers: [:], body: [], client: "127.0.0.1"),
                to: server.url
            ) { "signed:" + $0 }
            guard case .answered = outcome else {
                Issue.record("not answered: \(outcome)")
                return
            }
            let received = try #require(echo.received.last)
            #expect(received.method == "GET")
            #expect(received.headers[HTTPField.Name("X-Coffer-Forwarding-Signature")!] == "signed:" + received.target)
        }
    }

    @Test func noSignatureHeaderWhenTheStandbyCannotSign() async throws {
        try await withEcho { forwarder, echo, server in
            _ = await forwarder.forward(
                .init(method: "PUT", target: "/v1/sys/step-down", headers: [:], body: [], client: "127.0.0.1"),
                to: server.url
            ) { _ in nil }
            let received = try #require(echo.received.last)
            #expect(received.method == "PUT")
            #expect(received.headers[HTTPField.Name("X-Coffer-Forwarding-Signature")!] == nil)
            #expect(received.headers[HTTPField.Name("X-Coffer-Forwarded-For")!] == "127.0.0.1")
        }
    }

    @Test func anActiveNodeThatIsGoneIsUnreachable() async throws {
        let closed = try await LoopbackServer.start(responder: EchoResponder(), logger: Self.logger)
        await closed.stop()
        let forwarder = StandbyForwarder(logger: Self.logger)
        let started = ContinuousClock.now
        let outcome = await forwarder.forward(
            .init(method: "GET", target: "/v1/sys/mounts", headers: [:], body: [], client: "127.0.0.1"),
            to: closed.url
        ) { _ in nil }
        await forwarder.shutdown()
        guard case .unreachable = outcome else {
            Issue.record("expected unreachable, got \(outcome)")
            return
        }
        #expect(ContinuousClock.now - started < .seconds(5))
    }

    /// A request waiting on an active node that was replaced is abandoned, with the new node's address.
    @Test func aRequestToAReplacedActiveNodeIsSuperseded() async throws {
        let hung = try await LoopbackServer.start(responder: HangingResponder(), logger: Self.logger)
        let forwarder = StandbyForwarder(
            configuration: .init(leaderCheckInterval: .milliseconds(50)), logger: Self.logger)
        let replaced = Mutex(false)
        let started = ContinuousClock.now
        async let outcome = forwarder.forward(
            .init(method: "POST", target: "/v1/secret/data/x", headers: [:], body: [1], client: "127.0.0.1"),
            to: hung.url, supersededBy: { replaced.withLock { $0 } ? "http://127.0.0.1:9" : nil }, sign: { _ in nil })
        try await Task.sleep(for: .milliseconds(300))
        replaced.withLock { $0 = true }
        let result = await outcome
        // Timed before the clean-up (closing the hung connection took 5 s on a loaded CI machine), and far below the
        // forwarder's 90 s request deadline: the request was abandoned, not timed out.
        let waited = ContinuousClock.now - started
        await forwarder.shutdown()
        await hung.stop()
        guard case .superseded(let leader) = result else {
            Issue.record("expected superseded, got \(result)")
            return
        }
        #expect(leader == "http://127.0.0.1:9")
        #expect(waited < .seconds(30))
    }

    @Test func aShutDownForwarderForwardsNothing() async throws {
        try await withEcho { forwarder, echo, server in
            await forwarder.shutdown()
            let outcome = await forwarder.forward(
                .init(method: "GET", target: "/v1/sys/mounts", headers: [:], body: [], client: "127.0.0.1"),
                to: server.url
            ) { _ in nil }
            guard case .unreachable = outcome else {
                Issue.record("expected unreachable, got \(outcome)")
                return
            }
            #expect(echo.received.isEmpty)
        }
    }

    @Test func redirectLocationIsTheActiveOriginWithTheOriginalPathAndQuery() {
        #expect(
            VaultResponder.redirectLocation(
                apiAddress: "http://10.0.0.2:8200", path: "/v1/secret/data/x", query: "version=2")
                == "http://10.0.0.2:8200/v1/secret/data/x?version=2")
        #expect(
            VaultResponder.redirectLocation(
                apiAddress: "https://vault-a.example/ui/", path: "/v1/sys/mounts", query: nil)
                == "https://vault-a.example/v1/sys/mounts")
        #expect(
            VaultResponder.redirectLocation(apiAddress: "vault-a:8200", path: "/v1/a%2Fb", query: "")
                == "https://vault-a:8200/v1/a%2Fb")
    }
}
