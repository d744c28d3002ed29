import CofferTesting
import Foundation
import Testing

/// The real binary's lifecycle: SIGTERM drains a request in flight and exits 0, SIGHUP swaps the TLS certificate
/// for new connections while an open one keeps working, a TLS listener without its files refuses to start, and
/// `sys/health` follows the seal from uninitialised through sealed to active.
@Suite(.serialized) struct ServerLifecycleTests {
    /// A persistent configuration: SQLite in `directory`, one listener on `port` with `listener` keys.
    private func writeConfig(_ directory: URL, port: Int, listener: String, extra: String = "") throws -> String {
        let path = directory.appendingPathComponent("config.hcl").path
        let text = """
            storage "sqlite" {
              path = "\(directory.path)/coffer.db"
            }
            listener "tcp" {
              address = "127.0.0.1:\(port)"
              \(listener)
            }
            \(extra)
            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func withServer<T>(
        _ arguments: [String], home: URL, port: Int, _ body: (LifecycleTestServer) async throws -> T
    ) async throws -> T {
        let server = try LifecycleTestServer.launch(arguments, home: home.path)
        defer { server.stop() }
        try await server.waitUntilListening(port: port)
        return try await body(server)
    }

    @Test func sigtermLetsARequestInFlightFinishThenExitsZero() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-sigterm") { home in
            let port = try DevServer.freePort()
            let arguments = [
                "server", "-dev", "-dev-root-token-id=root", "-dev-listen-address=127.0.0.1:\(port)",
            ]
            try await withServer(arguments, home: home, port: port) { server in
                let body = #"{"data":{"written":"during shutdown"}}"#
                let half = body.utf8.count / 2
                try await RawHTTPConnection.with(port: port) { connection in
                    // The head and half the body: the request is in flight when the signal arrives.
                    try await connection.write(
                        "PUT /v1/secret/data/drain HTTP/1.1\r\nHost: localhost\r\nX-Vault-Token: root\r\n"
                            + "Content-Length: \(body.utf8.count)\r\n\r\n" + String(body.prefix(half)))
                    try await Task.sleep(for: .milliseconds(300))
                    server.signal(SIGTERM)
                    try await server.waitForLog("==> Coffer shutdown triggered")
                    try await Task.sleep(for: .milliseconds(500))
                    #expect(server.process.isRunning)
                    #expect(!LifecycleTestServer.accepts(port: port), "the listener still accepts after SIGTERM")
                    try await connection.write(String(body.dropFirst(half)))
                    let response = try await connection.readResponse()
                    #expect(response.status == 200, "\(response.body)")
                    #expect(response.body.contains(#""version":1"#))
                }
                let status = try await server.exitStatus(within: 15)
                #expect(status == 0, "\(server.log)")
            }
        }
    }

    /// A request that never completes is cut when `shutdown_grace_period` ends, and the exit is still clean.
    @Test func sigtermGivesUpOnAStuckRequestAfterTheGracePeriod() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-grace") { home in
            let port = try DevServer.freePort()
            let config = try writeConfig(
                home, port: port, listener: "tls_disable = true", extra: "shutdown_grace_period = \"1s\"")
            try await withServer(["server", "-config=\(config)"], home: home, port: port) { server in
                try await RawHTTPConnection.with(port: port) { connection in
                    // Half a body that will never be finished.
                    try await connection.write(
                        "PUT /v1/sys/init HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{\"secret_")
                    try await Task.sleep(for: .milliseconds(300))
                    let signalled = ContinuousClock.now
                    server.signal(SIGTERM)
                    let status = try await server.exitStatus(within: 15)
                    #expect(status == 0, "\(server.log)")
                    let took = ContinuousClock.now - signalled
                    #expect(took >= .milliseconds(900) && took < .seconds(8), "exit after \(took)")
                    await #expect(throws: (any Error).self) { _ = try await connection.readResponse() }
                }
            }
        }
    }

    @Test func sighupServesTheNewCertificateToNewConnectionsAndKeepsOpenOnes() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-sighup") { home in
            let pki = try TestCertificates.write(into: home)
            let port = try DevServer.freePort()
            let config = try writeConfig(
                home, port: port,
                listener:
                    "tls_cert_file = \"\(pki.server.certificateFile)\"\n  tls_key_file = \"\(pki.server.keyFile)\"")
            let tls = try pki.clientTLSConfiguration()
            try await withServer(["server", "-config=\(config)"], home: home, port: port) { server in
                try await RawHTTPConnection.with(port: port, tls: tls) { before in
                    let first = try await before.get("/v1/sys/seal-status")
                    #expect(first.status == 200)
                    #expect(try await before.serverCommonName() == pki.server.commonName)
                    for (target, source) in [
                        (pki.server.certificateFile, pki.secondServer.certificateFile),
                        (pki.server.keyFile, pki.secondServer.keyFile),
                    ] {
                        try FileManager.default.removeItem(atPath: target)
                        try FileManager.default.copyItem(atPath: source, toPath: target)
                    }
                    // The same file with a new log level: SIGHUP re-reads it.
                    _ = try writeConfig(
                        home, port: port,
                        listener:
                            "tls_cert_file = \"\(pki.server.certificateFile)\"\n  tls_key_file = \"\(pki.server.keyFile)\"",
                        extra: "log_level = \"debug\"")
                    server.signal(SIGHUP)
                    try await server.waitForLog("==> Coffer reload triggered")
                    try await server.waitForLog("TLS certificate reloaded")
                    try await server.waitForLog("log_level=debug")
                    try await RawHTTPConnection.with(port: port, tls: tls) { after in
                        let answer = try await after.get("/v1/sys/seal-status")
                        let name = try await after.serverCommonName()
                        #expect(answer.status == 200)
                        #expect(name == pki.secondServer.commonName)
                    }
                    let again = try await before.get("/v1/sys/seal-status")
                    #expect(again.status == 200)
                    #expect(try await before.serverCommonName() == pki.server.commonName)
                }
                #expect(server.process.isRunning)
            }
        }
    }

    /// Log rotation: the audit file is moved away, SIGHUP reopens the configured path, later entries land there.
    @Test func sighupReopensTheAuditFile() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-audit-hup") { home in
            let port = try DevServer.freePort()
            let arguments = [
                "server", "-dev", "-dev-root-token-id=root", "-dev-listen-address=127.0.0.1:\(port)",
            ]
            let auditPath = home.path + "/audit.log"
            try await withServer(arguments, home: home, port: port) { server in
                try await RawHTTPConnection.with(port: port) { connection in
                    let enabled = try await connection.send(
                        "PUT", "/v1/sys/audit/file", token: "root",
                        body: #"{"type":"file","options":{"file_path":"\#(auditPath)"}}"#)
                    #expect(enabled.status == 204, "\(enabled.body)")
                    #expect(try await connection.get("/v1/secret/data/nothing", token: "root").status == 404)
                    try FileManager.default.moveItem(atPath: auditPath, toPath: auditPath + ".1")
                    server.signal(SIGHUP)
                    try await server.waitForLog("reload complete")
                    #expect(try await connection.get("/v1/secret/data/nothing", token: "root").status == 404)
                }
                let reopened = try String(contentsOfFile: auditPath, encoding: .utf8)
                #expect(reopened.contains("secret/data/nothing"))
                let rotated = try String(contentsOfFile: auditPath + ".1", encoding: .utf8)
                #expect(rotated.contains("secret/data/nothing"))
            }
        }
    }

    @Test func aTLSListenerWithoutItsFilesRefusesToStart() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-notls") { home in
            let port = try DevServer.freePort()
            let config = try writeConfig(home, port: port, listener: "")
            let server = try LifecycleTestServer.launch(["server", "-config=\(config)"], home: home.path)
            defer { server.stop() }
            let status = try await server.exitStatus(within: 30)
            #expect(status == 1, "\(server.log)")
            #expect(server.log.contains("tls_cert_file"), "\(server.log)")
            #expect(server.log.contains("tls_disable"), "\(server.log)")
            #expect(!FileManager.default.fileExists(atPath: home.path + "/coffer.db"))
        }
    }

    @Test func aMissingCertificateFileIsNamedAtStart() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-nocert") { home in
            let pki = try TestCertificates.write(into: home)
            let port = try DevServer.freePort()
            let missing = home.path + "/missing.pem"
            let config = try writeConfig(
                home, port: port, listener: "tls_cert_file = \"\(missing)\"\n  tls_key_file = \"\(pki.server.keyFile)\""
            )
            let server = try LifecycleTestServer.launch(["server", "-config=\(config)"], home: home.path)
            defer { server.stop() }
            let status = try await server.exitStatus(within: 30)
            #expect(status == 1, "\(server.log)")
            #expect(server.log.contains("'tls_cert_file' \"\(missing)\""), "\(server.log)")
            #expect(!server.log.contains("PRIVATE KEY"))
        }
    }

    @Test func healthFollowsTheSealFromUninitialisedToActive() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-health") { home in
            let port = try DevServer.freePort()
            let config = try writeConfig(home, port: port, listener: "tls_disable = true")
            try await withServer(["server", "-config=\(config)"], home: home, port: port) { _ in
                try await RawHTTPConnection.with(port: port) { connection in
                    let uninitialised = try await connection.get("/v1/sys/health")
                    #expect(uninitialised.status == 501, "\(uninitialised.body)")
                    #expect(uninitialised.body.contains(#""initialized":false"#))
                    let custom = try await connection.get("/v1/sys/health?uninitcode=299")
                    #expect(custom.status == 299)
                    let initialized = try await connection.send(
                        "PUT", "/v1/sys/init", body: #"{"secret_shares":1,"secret_threshold":1}"#)
                    #expect(initialized.status == 200, "\(initialized.body)")
                    let sealed = try await connection.get("/v1/sys/health")
                    #expect(sealed.status == 503, "\(sealed.body)")
                    #expect(sealed.body.contains(#""sealed":true"#))
                    #expect(try await connection.get("/v1/sys/health?sealedcode=200").status == 200)
                    let key = try #require(Self.firstKey(initialized.body))
                    let unsealed = try await connection.send("PUT", "/v1/sys/unseal", body: #"{"key":"\#(key)"}"#)
                    #expect(unsealed.status == 200, "\(unsealed.body)")
                    let active = try await connection.get("/v1/sys/health")
                    #expect(active.status == 200, "\(active.body)")
                    #expect(active.body.contains(#""sealed":false"#))
                    #expect(try await connection.get("/v1/sys/health?activecode=204").status == 204)
                }
            }
        }
    }

    private static func firstKey(_ json: String) -> String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any],
            let keys = object["keys_base64"] as? [String]
        else { return nil }
        return keys.first
    }
}
