import CofferTesting
import Foundation

/// The real `coffer server` binary as a child process whose signals and exit status a test controls: SIGTERM,
/// SIGHUP, and how it ended. Its stdout and stderr go to one log file the test can read.
///
/// ```swift
/// let server = try LifecycleTestServer.launch(["server", "-config=\(path)"], home: directory.path)
/// try await server.waitUntilListening(port: port)
/// server.signal(SIGHUP)
/// ```
final class LifecycleTestServer {
    let process: Process
    let logPath: String

    private init(process: Process, logPath: String) {
        self.process = process
        self.logPath = logPath
    }

    static func launch(_ arguments: [String], home: String) throws -> LifecycleTestServer {
        let logPath = home + "/server-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try DevServer.binaryPath)
        process.arguments = arguments
        process.environment = ["HOME": home, "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"]
        process.standardOutput = log
        process.standardError = log
        try process.run()
        return LifecycleTestServer(process: process, logPath: logPath)
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) {
        kill(process.processIdentifier, number)
    }

    /// Polls until `port` accepts a TCP connection (up to 60 s); fails early if the process ends.
    func waitUntilListening(port: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                throw DevServer.Failure(description: "coffer exited with \(process.terminationStatus):\n\(log)")
            }
            if Self.accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw DevServer.Failure(description: "coffer did not listen on \(port) within 60 s:\n\(log)")
    }

    /// Polls the log until it contains `text` (up to `seconds`).
    func waitForLog(_ text: String, seconds: Int = 20) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if log.contains(text) { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw DevServer.Failure(description: "no \"\(text)\" in the server log within \(seconds) s:\n\(log)")
    }

    /// The exit status once the process ends, or nil if it is still running after `seconds`.
    func exitStatus(within seconds: Int) async throws -> Int32? {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while process.isRunning, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Kills the process if a test left it running.
    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port` right now.
    static func accepts(port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(clamping: port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return connected == 0
    }
}
