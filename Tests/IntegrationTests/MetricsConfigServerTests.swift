import CofferClient
import CofferTesting
import Foundation
import Testing

/// `coffer server -config=…` with a `telemetry` stanza, as docs/metrics.md tells an operator to run it: after
/// init and unseal, `sys/metrics?format=prometheus` is the text format without host names in gauge names, and a
/// listener with `unauthenticated_metrics_access` serves it without a token.
@Suite struct MetricsConfigServerTests {
    @Test func telemetryStanzaEnablesPrometheus() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-metrics") { directory in
            let port = try DevServer.freePort()
            let config = directory.appendingPathComponent("metrics.hcl")
            try """
            storage "sqlite" {
              path = "\(directory.path)/coffer.db"
            }
            listener "tcp" {
              address     = "127.0.0.1:\(port)"
              tls_disable = true
              telemetry {
                unauthenticated_metrics_access = true
              }
            }
            telemetry {
              disable_hostname = true
            }
            """.write(to: config, atomically: true, encoding: .utf8)
            let server = try await ConfiguredServer.start(config: config.path, port: port, directory: directory.path)
            defer { server.stop() }
            try await withVaultClient(.init(address: server.address, timeout: .seconds(10))) { client in
                let root = try await Self.initializeAndUnseal(client)
                for _ in 0..<2 {
                    #expect(
                        try await client.send("GET", "sys/mounts", headers: ["X-Vault-Token": root]).statusCode == 200)
                }
                let scraped = try await client.send(
                    "GET", "sys/metrics", query: ["format": "prometheus"], headers: ["X-Vault-Token": root])
                try #require(scraped.statusCode == 200, "\(String(decoding: scraped.body, as: UTF8.self))")
                let exposition = try PrometheusTextParser.parse(String(decoding: scraped.body, as: UTF8.self))
                #expect(exposition.value("vault_core_unsealed") == 1)
                #expect(exposition.value("vault_core_handle_request_count") >= 2)
                for value in exposition.labelValues { #expect(value != root) }

                let anonymous = try await client.send("GET", "sys/metrics", query: ["format": "prometheus"])
                #expect(anonymous.statusCode == 200, "\(String(decoding: anonymous.body, as: UTF8.self))")
                _ = try PrometheusTextParser.parse(String(decoding: anonymous.body, as: UTF8.self))
            }
        }
    }

    /// `sys/init` with one share, then `sys/unseal` with it; the root token.
    static func initializeAndUnseal(_ client: VaultClient) async throws -> String {
        let initialized = try await client.send(
            "PUT", "sys/init", body: Data(#"{"secret_shares":1,"secret_threshold":1}"#.utf8))
        try #require(initialized.statusCode == 200, "\(String(decoding: initialized.body, as: UTF8.self))")
        let key = try #require(initialized.json?["keys_base64"]?.arrayValue?.first?.stringValue)
        let root = try #require(initialized.json?["root_token"]?.stringValue)
        let unsealed = try await client.send("PUT", "sys/unseal", body: Data(#"{"key":"\#(key)"}"#.utf8))
        try #require(unsealed.json?["sealed"] == .bool(false), "\(String(decoding: unsealed.body, as: UTF8.self))")
        return root
    }

    /// A `coffer server -config=<file>` subprocess, answering once `sys/seal-status` does.
    ///
    /// ```swift
    /// let server = try await ConfiguredServer.start(config: path, port: port, directory: scratch)
    /// defer { server.stop() }
    /// ```
    final class ConfiguredServer {
        let address: String
        let process: Process
        let log: String

        private init(address: String, process: Process, log: String) {
            self.address = address
            self.process = process
            self.log = log
        }

        static func start(config: String, port: Int, directory: String) async throws -> ConfiguredServer {
            let log = directory + "/server.log"
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try DevServer.binaryPath)
            process.arguments = ["server", "-config=\(config)"]
            process.environment = [
                "HOME": directory, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
            ]
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
            process.standardOutput = handle
            process.standardError = handle
            try process.run()
            let server = ConfiguredServer(address: "http://127.0.0.1:\(port)", process: process, log: log)
            do {
                try await server.waitUntilAnswering()
            } catch {
                server.stop()
                throw error
            }
            return server
        }

        private func waitUntilAnswering() async throws {
            try await withVaultClient(.init(address: address, timeout: .seconds(2))) { client in
                let deadline = ContinuousClock.now + .seconds(60)
                while ContinuousClock.now < deadline {
                    guard process.isRunning else {
                        throw DevServer.Failure(description: "coffer server exited:\n\(serverLog)")
                    }
                    if let answer = try? await client.send("GET", "sys/seal-status"), answer.statusCode == 200 {
                        return
                    }
                    try await Task.sleep(for: .milliseconds(100))
                }
                throw DevServer.Failure(description: "coffer server did not answer within 60 s:\n\(serverLog)")
            }
        }

        var serverLog: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

        func stop() {
            guard process.isRunning else { return }
            process.terminate()
            process.waitUntilExit()
        }
    }
}
