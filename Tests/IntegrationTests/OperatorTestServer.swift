import CofferClient
import CofferTesting
import Foundation

/// A `coffer server -config=…` subprocess with SQLite storage and the default Shamir seal on a free loopback port,
/// for the `coffer operator …` tests: it starts uninitialised, and ``restart()`` keeps its storage so a restarted
/// server comes back sealed.
///
/// ```swift
/// try await OperatorTestServer.with { server in
///     let initialized = try await server.cli(["operator", "init", "-format=json"])
///     let keys = try initialized.json()["unseal_keys_b64"]?.stringArray ?? []
/// }
/// ```
final class OperatorTestServer {
    let directory: String
    let address: String
    /// The test PKI when the server speaks TLS (its CA signs the server and client leaves).
    let pki: TestCertificates?
    /// PEM CA file the CLI trusts when the server speaks TLS.
    var caFile: String? { pki?.caFile }
    private let port: Int
    private let staticSeal: Bool
    private let requireClientCertificate: Bool
    private var process: Process?

    private init(
        directory: String, port: Int, pki: TestCertificates?, staticSeal: Bool, requireClientCertificate: Bool
    ) {
        self.directory = directory
        self.port = port
        self.pki = pki
        self.staticSeal = staticSeal
        self.requireClientCertificate = requireClientCertificate
        self.address = "\(pki == nil ? "http" : "https")://127.0.0.1:\(port)"
    }

    /// Starts a server (over TLS with a fresh test CA when `tls` is true, requiring the CA's client certificates
    /// when `requireClientCertificate` is also true; with the auto-unsealing static seal and its recovery keys when
    /// `staticSeal` is true), runs `body`, always stops it and removes its files.
    static func with<T: Sendable>(
        tls: Bool = false, requireClientCertificate: Bool = false, staticSeal: Bool = false,
        _ body: (OperatorTestServer) async throws -> T
    ) async throws -> T {
        try await TemporaryDirectory.with(prefix: "coffer-operator") { directory in
            let pki = tls ? try TestCertificates.write(into: directory) : nil
            let server = OperatorTestServer(
                directory: directory.path, port: try DevServer.freePort(), pki: pki, staticSeal: staticSeal,
                requireClientCertificate: requireClientCertificate)
            try server.writeConfiguration()
            do {
                try await server.start()
                let result = try await body(server)
                server.stop()
                return result
            } catch {
                server.stop()
                throw error
            }
        }
    }

    private func writeConfiguration() throws {
        var listener = "tls_disable = true"
        if let pki {
            listener = "tls_cert_file = \"\(pki.server.certificateFile)\"\n  tls_key_file = \"\(pki.server.keyFile)\""
            if requireClientCertificate {
                listener += "\n  tls_client_ca_file = \"\(pki.caFile)\"\n  tls_require_and_verify_client_cert = true"
            }
        }
        var seal = ""
        if staticSeal {
            let keyFile = directory + "/seal.key"
            let key = Data((0..<32).map { _ in UInt8.random(in: .min ... .max) }).base64EncodedString()
            _ = FileManager.default.createFile(
                atPath: keyFile, contents: Data(key.utf8), attributes: [.posixPermissions: 0o600])
            seal = "seal \"static\" {\n  key_file = \"\(keyFile)\"\n}\n"
        }
        let text = """
            \(seal)storage "sqlite" {
              path = "\(directory)/coffer.db"
            }
            listener "tcp" {
              address = "127.0.0.1:\(port)"
              \(listener)
            }
            """
        try text.write(toFile: directory + "/config.hcl", atomically: true, encoding: .utf8)
    }

    private func start() async throws {
        let log = directory + "/server.log"
        if !FileManager.default.fileExists(atPath: log) {
            _ = FileManager.default.createFile(atPath: log, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try handle.seekToEnd()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try DevServer.binaryPath)
        process.arguments = ["server", "-config=\(directory)/config.hcl"]
        process.environment = ["HOME": directory, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        self.process = process
        try await waitUntilAnswering()
    }

    /// Polls `sys/seal-status` (answered sealed or not, initialised or not) for up to 60 s.
    private func waitUntilAnswering() async throws {
        var configuration = VaultClient.Configuration(address: address, timeout: .seconds(2))
        configuration.tls.caCertificateFile = caFile
        if requireClientCertificate {
            configuration.tls.clientCertificateFile = pki?.client.certificateFile
            configuration.tls.clientKeyFile = pki?.client.keyFile
        }
        try await withVaultClient(configuration) { client in
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                guard process?.isRunning == true else {
                    throw DevServer.Failure(description: "coffer server exited:\n\(serverLog)")
                }
                if let answer = try? await client.send("GET", "sys/seal-status"), answer.statusCode == 200 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw DevServer.Failure(description: "coffer server did not answer within 60 s:\n\(serverLog)")
        }
    }

    var serverLog: String { (try? String(contentsOfFile: directory + "/server.log", encoding: .utf8)) ?? "" }

    func stop() {
        guard let process, process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Stops the server and starts it again on the same storage and port.
    func restart() async throws {
        stop()
        try await start()
    }

    /// Runs `coffer <arguments>` against this server with `token` as `VAULT_TOKEN` (none when nil), `stdin`, and
    /// `VAULT_CACERT` set to the test CA when the server speaks TLS.
    func cli(_ arguments: [String], token: String? = nil, stdin: String? = nil) async throws -> DevServer.Result {
        var environment = [
            "HOME": directory, "VAULT_ADDR": address, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
        ]
        if let token { environment["VAULT_TOKEN"] = token }
        if let caFile { environment["VAULT_CACERT"] = caFile }
        return try await ProgramRunner.run(
            try DevServer.binaryPath, arguments, environment: environment, stdin: stdin, scratch: directory)
    }
}

extension OperatorTestServer {
    /// `operator init -format=json` with 5/3, then three unseal shares; the base64 keys and the root token.
    func initializeAndUnseal() async throws -> (keys: [String], root: String) {
        let initialized = try await cli(["operator", "init", "-format=json"])
        guard initialized.status == 0 else {
            throw DevServer.Failure(description: "operator init failed: \(initialized.stderr)")
        }
        let json = try initialized.json()
        let keys = json["unseal_keys_b64"]?.stringArray ?? []
        for key in keys.prefix(3) { _ = try await cli(["operator", "unseal", key]) }
        return (keys, json["root_token"]?.stringValue ?? "")
    }
}

/// The value of the row `key` in a two-column CLI table (`nil` when there is no such row).
func tableValue(_ output: String, _ key: String) -> String? {
    for line in output.split(separator: "\n") where line.hasPrefix(key + "    ") {
        return line.dropFirst(key.count).trimmingCharacters(in: .whitespaces)
    }
    return nil
}
