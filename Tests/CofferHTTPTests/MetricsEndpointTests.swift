import CofferClient
import CofferCore
import CofferHTTP
import CofferStorage
import CofferTesting
import Crypto
import Foundation
import Logging
import Testing

/// `GET /v1/sys/metrics` over loopback HTTP: content types, the listener's unauthenticated access, format choice.
@Suite struct MetricsEndpointTests {
    /// A core with Prometheus enabled (or not), served by a responder with `unauthenticated` access (or not).
    static func withServer<T: Sendable>(
        prometheus: Bool = true, unauthenticated: Bool, _ body: (VaultClient, String) async throws -> T
    ) async throws -> T {
        var settings = MetricsSettings()
        settings.prometheusEnabled = prometheus
        var configuration = CoreConfiguration()
        configuration.metrics = CofferMetrics(settings: settings)
        let core = Core(barrier: Barrier(physical: MemoryPhysical()), configuration: configuration)
        let root = try await core.initialize(sealKey: SymmetricKey(size: .bits256))
        var logger = Logger(label: "metrics-endpoint-tests")
        logger.logLevel = .critical
        let server = try await LoopbackServer.start(
            responder: VaultResponder(core: core, logger: logger, unauthenticatedMetricsAccess: unauthenticated),
            logger: logger)
        do {
            let result = try await withVaultClient(.init(address: server.url, timeout: .seconds(30))) {
                try await body($0, root)
            }
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    static func contentType(_ response: VaultResponse) -> String? {
        response.headers.first { $0.key.lowercased() == "content-type" }?.value
    }

    @Test func prometheusFormatIsTextExposition() async throws {
        try await Self.withServer(unauthenticated: false) { client, root in
            for _ in 0..<3 { _ = try await client.send("GET", "sys/mounts", headers: ["X-Vault-Token": root]) }
            let response = try await client.send(
                "GET", "sys/metrics", query: ["format": "prometheus"], headers: ["X-Vault-Token": root])
            #expect(response.statusCode == 200)
            #expect(Self.contentType(response) == "text/plain; version=0.0.4; charset=utf-8")
            let exposition = try PrometheusTextParser.parse(String(decoding: response.body, as: UTF8.self))
            #expect(exposition.value("vault_core_handle_request_count") == 3)
            #expect(exposition.value("vault_core_unsealed") == 1)
        }
    }

    @Test func tokenRequiredUnlessTheListenerOpensIt() async throws {
        try await Self.withServer(unauthenticated: false) { client, _ in
            let refused = try await client.send("GET", "sys/metrics", query: ["format": "prometheus"])
            #expect(refused.statusCode == 403)
            #expect(Self.contentType(refused) == "application/json")
            #expect(refused.json?["errors"] == .array(["permission denied"]))
        }
        try await Self.withServer(unauthenticated: true) { client, _ in
            let open = try await client.send("GET", "sys/metrics", query: ["format": "prometheus"])
            #expect(open.statusCode == 200)
            _ = try PrometheusTextParser.parse(String(decoding: open.body, as: UTF8.self))
            let json = try await client.send("GET", "sys/metrics")
            #expect(json.statusCode == 200)
            #expect(Self.contentType(json) == "application/json")
            #expect(json.json?["Gauges"]?.arrayValue != nil)
        }
    }

    @Test func acceptHeaderSelectsPrometheus() async throws {
        try await Self.withServer(unauthenticated: false) { client, root in
            let response = try await client.send(
                "GET", "sys/metrics",
                headers: ["X-Vault-Token": root, "Accept": "application/openmetrics-text; version=1.0.0"])
            #expect(response.statusCode == 200)
            #expect(Self.contentType(response)?.hasPrefix("text/plain; version=0.0.4") == true)
        }
    }

    /// Only a plain read is the raw endpoint: help and other methods are the pipeline's, as for any path.
    @Test func helpAndWritesGoThroughThePipeline() async throws {
        try await Self.withServer(unauthenticated: true) { client, root in
            let help = try await client.send(
                "GET", "sys/metrics", query: ["help": "1"], headers: ["X-Vault-Token": root])
            #expect(help.statusCode == 200)
            #expect(help.data?["help"]?.stringValue?.contains("metrics") == true)
            let write = try await client.send(
                "PUT", "sys/metrics", body: Data("{}".utf8), headers: ["X-Vault-Token": root])
            #expect(write.statusCode == 405)
        }
    }

    @Test func disabledPrometheusIsAPlainText400() async throws {
        try await Self.withServer(prometheus: false, unauthenticated: true) { client, _ in
            let response = try await client.send("GET", "sys/metrics", query: ["format": "prometheus"])
            #expect(response.statusCode == 400)
            #expect(Self.contentType(response) == "text/plain")
            #expect(String(decoding: response.body, as: UTF8.self) == "prometheus is not enabled")
        }
    }
}
