import CofferClient
import CofferTesting
import Foundation
import Testing

/// The real `coffer` binary's metrics: the process-wide bootstrap runs, and `-dev` (no `telemetry` stanza, as
/// Vault's `-dev`) serves Vault's JSON format with host-named gauges and refuses the Prometheus format.
@Suite struct MetricsServerTests {
    @Test func devServerServesJSONAndRefusesPrometheus() async throws {
        try await DevServer.with { server in
            try await withVaultClient(.init(address: server.address, token: server.rootToken)) { client in
                for _ in 0..<3 { #expect(try await client.send("GET", "sys/mounts").statusCode == 200) }
                let json = try await client.send("GET", "sys/metrics")
                #expect(json.statusCode == 200)
                let gauges = json.json?["Gauges"]?.arrayValue ?? []
                let host = ProcessInfo.processInfo.hostName
                #expect(
                    gauges.contains {
                        $0["Name"]?.stringValue == "vault.\(host).core.unsealed" && $0["Value"]?.doubleValue == 1
                    }, "\(gauges)")
                let samples = json.json?["Samples"]?.arrayValue ?? []
                let handled = samples.first { $0["Name"]?.stringValue == "vault.core.handle_request" }
                #expect((handled?["Count"]?.intValue ?? 0) >= 3)

                let prometheus = try await client.send("GET", "sys/metrics", query: ["format": "prometheus"])
                #expect(prometheus.statusCode == 400)
                #expect(String(decoding: prometheus.body, as: UTF8.self) == "prometheus is not enabled")
            }
        }
    }
}
