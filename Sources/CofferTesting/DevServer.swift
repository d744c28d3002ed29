import CofferClient
import Foundation

/// A `coffer server -dev` subprocess on a free loopback port, plus a runner for CLI commands
/// against it. Nothing is built here: the binary comes from `COFFER_BIN` or `.build/debug/coffer`.
///
/// ```swift
/// try await DevServer.with { server in
///     let result = try await server.cli("kv", "get", "-field=password", "secret/creds")
///     #expect(result.stdout == "s3cr3t")
/// }
/// ```
public final class DevServer {
    public struct Failure: Error, CustomStringConvertible {
        public let description: String

        public init(description: String) { self.description = description }
    }

    /// What one CLI run produced.
    public struct Result: Sendable {
        public let status: Int32
        public let stdout: String
        public let stderr: String

        public init(status: Int32, stdout: String, stderr: String) {
            self.status = status
            self.stdout = stdout
            self.stderr = stderr
        }
    }

    public let rootToken: String
    public let address: String
    /// A private `HOME` for the server and every CLI run (token helper file lives here).
    public let home: String
    private let process: Process
    private let logPath: String

    /// Starts a server, runs `body`, and always stops the server and removes its home directory.
    public static func with<T: Sendable>(_ body: (DevServer) async throws -> T) async throws -> T {
        let server = try await DevServer.start()
        do {
            let result = try await body(server)
            server.stop()
            return result
        } catch {
            server.stop()
            throw error
        }
    }

    public static var binaryPath: String {
        get throws {
            if let path = ProcessInfo.processInfo.environment["COFFER_BIN"], !path.isEmpty { return path }
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let path = root.appendingPathComponent(".build/debug/coffer").path
            guard FileManager.default.isExecutableFile(atPath: path) else {
                throw Failure(
                    description:
                        "coffer binary not found at \(path); run `swift build --product coffer` or set COFFER_BIN")
            }
            return path
        }
    }

    private init(rootToken: String, address: String, home: String, process: Process, logPath: String) {
        self.rootToken = rootToken
        self.address = address
        self.home = home
        self.process = process
        self.logPath = logPath
    }

    private static func start() async throws -> DevServer {
        let binary = try binaryPath
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("coffer-it-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        let port = try freePort()
        let rootToken = "root-\(UUID().uuidString.prefix(8).lowercased())"
        let logPath = home + "/server.log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = [
            "server", "-dev", "-dev-root-token-id=\(rootToken)", "-dev-listen-address=127.0.0.1:\(port)",
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home
        environment.removeValue(forKey: "VAULT_TOKEN")
        process.environment = environment
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        let server = DevServer(
            rootToken: rootToken, address: "http://127.0.0.1:\(port)", home: home, process: process, logPath: logPath)
        do {
            try await server.waitUntilHealthy()
        } catch {
            server.stop()
            throw error
        }
        return server
    }

    /// Polls `GET /v1/sys/health` for up to 60 s, each attempt with a 2 s deadline so one attempt that hangs on a
    /// loaded machine (the whole suite runs in parallel on two cores) cannot use up the wait; fails early if the
    /// process dies.
    private func waitUntilHealthy() async throws {
        try await withVaultClient(.init(address: address, timeout: .seconds(2))) { client in
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
                guard process.isRunning else {
                    throw Failure(description: "coffer server exited with \(process.terminationStatus):\n\(serverLog)")
                }
                if let response = try? await client.send("GET", "sys/health"), response.statusCode == 200 { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw Failure(description: "coffer server did not become healthy within 60 s:\n\(serverLog)")
        }
    }

    public var serverLog: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(atPath: home)
    }

    /// The environment a CLI run gets: this server's address, the root token unless `token` says
    /// otherwise (`nil` leaves `VAULT_TOKEN` unset), and the private `HOME`.
    public func environment(token: String?) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["VAULT_ADDR"] = address
        environment["HOME"] = home
        environment.removeValue(forKey: "VAULT_FORMAT")
        environment.removeValue(forKey: "VAULT_NAMESPACE")
        if let token { environment["VAULT_TOKEN"] = token } else { environment.removeValue(forKey: "VAULT_TOKEN") }
        return environment
    }

    /// Runs `coffer <arguments>` as the root token.
    public func cli(_ arguments: String...) async throws -> Result {
        try await run(arguments, token: rootToken)
    }

    /// Runs `coffer <arguments>` with `token` (nil: no `VAULT_TOKEN`) and optional stdin text.
    public func run(_ arguments: [String], token: String?, stdin: String? = nil) async throws -> Result {
        try await ProgramRunner.run(
            try Self.binaryPath, arguments, environment: environment(token: token), stdin: stdin, scratch: home)
    }

    /// A loopback port nobody listens on right now (bind to port 0, read it back, close).
    public static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw Failure(description: "socket() failed") }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) }
        }
        guard bound == 0 else { throw Failure(description: "bind() failed") }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else { throw Failure(description: "getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

extension DevServer.Result {
    /// stdout parsed as JSON (for `-format=json` runs).
    public func json() throws -> JSONValue {
        try JSONValue(parsing: Data(stdout.utf8))
    }
}
