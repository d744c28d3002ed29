import CofferClient
import CofferTesting
import Foundation
import Testing

/// `coffer operator unseal` without a key on a real terminal (a pseudo-terminal the test owns): the prompt turns
/// echo off so the share never appears on screen, and an interrupt while it waits gives the terminal back with echo
/// on.
@Suite(.serialized) struct OperatorPromptTests {
    /// A pseudo-terminal pair; the child gets the slave as stdin, stdout and stderr.
    private struct Terminal: Sendable {
        let master: Int32
        let slave: Int32

        init() throws {
            var master: Int32 = -1, slave: Int32 = -1
            guard openpty(&master, &slave, nil, nil, nil) == 0 else {
                throw DevServer.Failure(description: "openpty failed: \(String(cString: strerror(errno)))")
            }
            self.master = master
            self.slave = slave
        }

        var echoes: Bool {
            var settings = termios()
            _ = tcgetattr(master, &settings)
            return settings.c_lflag & tcflag_t(ECHO) != 0
        }

        /// Reads what the child wrote until `marker` shows up, the child hangs up, or 20 s pass.
        func read(until marker: String? = nil) -> String {
            var text = Data()
            let deadline = Date() + 20
            var buffer = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
                guard poll(&descriptor, 1, 100) >= 0 else { break }
                guard descriptor.revents != 0 else { continue }
                let count = Foundation.read(master, &buffer, buffer.count)
                guard count > 0 else { break }
                text.append(contentsOf: buffer[0..<count])
                if let marker, String(decoding: text, as: UTF8.self).contains(marker) { break }
            }
            return String(decoding: text, as: UTF8.self)
        }

        /// ``read(until:)`` on a Dispatch thread: it polls for up to 20 s, which must not hold one of the few
        /// threads every test's async work shares.
        func readOffThePool(until marker: String? = nil) async -> String {
            await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: read(until: marker)) }
            }
        }

        func write(_ text: String) {
            _ = text.withCString { Foundation.write(master, $0, strlen($0)) }
        }
    }

    /// Waits for `process` to end without blocking a thread of the shared pool (as `waitUntilExit` would).
    private func exit(of process: Process) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            process.terminate()
            throw DevServer.Failure(description: "coffer operator unseal did not exit within 30 s")
        }
    }

    /// Starts `coffer operator unseal` on a fresh terminal against `server` and waits for its prompt.
    private func startUnseal(_ server: OperatorTestServer, _ terminal: Terminal) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try DevServer.binaryPath)
        process.arguments = ["operator", "unseal"]
        process.environment = ["HOME": server.directory, "VAULT_ADDR": server.address]
        let handle = FileHandle(fileDescriptor: terminal.slave, closeOnDealloc: false)
        process.standardInput = handle
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        close(terminal.slave)
        return process
    }

    @Test func theShareTypedAtThePromptIsNotEchoed() async throws {
        try await OperatorTestServer.with { server in
            let initialized = try await server.cli(["operator", "init", "-format=json"])
            let share = try #require(try initialized.json()["unseal_keys_b64"]?.stringArray?.first)
            let terminal = try Terminal()
            defer { close(terminal.master) }
            let process = try startUnseal(server, terminal)
            let prompt = await terminal.readOffThePool(until: "(will be hidden): ")
            #expect(prompt.hasSuffix("Unseal Key (will be hidden): "))
            #expect(!terminal.echoes)
            terminal.write(share + "\n")
            let rest = await terminal.readOffThePool()
            try await exit(of: process)
            #expect(process.terminationStatus == 0, "\(rest)")
            #expect(!rest.contains(share), "the share was echoed")
            #expect(rest.contains("Unseal Progress    1/3"))
            #expect(terminal.echoes, "echo is back on after the prompt")
        }
    }

    @Test func anInterruptAtThePromptRestoresEcho() async throws {
        try await OperatorTestServer.with { server in
            let terminal = try Terminal()
            defer { close(terminal.master) }
            let process = try startUnseal(server, terminal)
            _ = await terminal.readOffThePool(until: "(will be hidden): ")
            #expect(!terminal.echoes)
            // The handler is armed asynchronously; until it is, SIGINT is ignored, so ask again until the child ends.
            for _ in 0..<50 where process.isRunning {
                process.interrupt()
                try await Task.sleep(for: .milliseconds(200))
            }
            try await exit(of: process)
            #expect(process.terminationStatus == 1)
            #expect(terminal.echoes)
        }
    }
}
