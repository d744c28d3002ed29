import Dispatch
import Foundation
import Logging
import Synchronization

/// Starts the Azure login benchmark's servers on 127.0.0.1, prints what a load generator needs as
/// `KEY=value` lines ending with `READY`, and runs until SIGTERM or SIGINT, then stops everything.
/// `Benchmarks/LoginBenchmark/run.sh` drives it with wrk and prints the results.
///
/// ```text
/// $ LoginBenchmark [--fixture Examples/azure-sim/fixture.json]
/// PID=…  SIM_URL=http://127.0.0.1:…/  COFFER_URL=…  VERIFY_URL=…  ARM_VM_URL=…  ARM_TOKEN=…
/// VERIFY_BODY={"jwt":…}  SP_LOGIN_BODY={"jwt":…,"role":"sp-role"}  VM_LOGIN_BODY={…,"role":"vm-role",…}
/// READY
/// $ LoginBenchmark --micro 3          # in-process timings of a login's parts instead (MicroBenchmark)
/// ```
@main
enum LoginBenchmark {
    static func main() async throws {
        var arguments = CommandLine.arguments.dropFirst()
        var fixture = "Examples/azure-sim/fixture.json"
        var microSeconds: Double? = nil
        var only: String? = nil
        var tasks = 1
        while let argument = arguments.popFirst() {
            switch argument {
            case "--fixture":
                guard let path = arguments.popFirst() else { throw BenchmarkError("--fixture needs a path") }
                fixture = path
            case "--micro":
                guard let value = arguments.popFirst().flatMap(Double.init) else {
                    throw BenchmarkError("--micro needs seconds per case")
                }
                microSeconds = value
            case "--only":
                only = arguments.popFirst()
            case "--tasks":
                guard let value = arguments.popFirst().flatMap(Int.init), value > 0 else {
                    throw BenchmarkError("--tasks needs a positive count")
                }
                tasks = value
            default:
                throw BenchmarkError(
                    "usage: LoginBenchmark [--fixture <simulator fixture JSON>] [--micro <seconds> [--only <case>] [--tasks <n>]]"
                )
            }
        }
        var logger = Logger(label: "login-benchmark")
        logger.logLevel = .error
        // Ignore the signals before starting anything, so one sent early still ends the run cleanly.
        let termination = Termination(signals: [SIGTERM, SIGINT])

        let stack = try await LoginStack.start(fixturePath: fixture, logger: logger)
        if let microSeconds {
            do {
                try await MicroBenchmark(stack: stack, seconds: microSeconds, tasks: tasks).run(only: only)
            } catch {
                await stack.stop()
                throw error
            }
            await stack.stop()
            return
        }
        let lines = [
            "PID=\(getpid())", "SIM_URL=\(stack.simulator.baseURL)", "COFFER_URL=\(stack.coffer.url)",
            "VERIFY_URL=\(stack.verify.url)", "ARM_VM_URL=\(stack.armVMURL)", "ARM_TOKEN=\(stack.armToken)",
            "VERIFY_BODY=\(stack.bodies.verify)", "SP_LOGIN_BODY=\(stack.bodies.servicePrincipalLogin)",
            "VM_LOGIN_BODY=\(stack.bodies.vmLogin)", "READY",
        ]
        FileHandle.standardOutput.write(Data((lines.joined(separator: "\n") + "\n").utf8))
        await termination.wait()
        await stack.stop()
    }
}

/// Waits for the first of some signals, delivered through Dispatch rather than a C handler. Owned by
/// `main` alone (the sources are not `Sendable`); only the latch is shared with the handlers.
final class Termination {
    private let sources: [any DispatchSourceSignal]
    private let latch = Latch()

    init(signals: [Int32]) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            return DispatchSource.makeSignalSource(signal: number, queue: .global())
        }
        for source in sources {
            source.setEventHandler { [latch] in latch.fire() }
            source.resume()
        }
    }

    func wait() async {
        await latch.wait()
        for source in sources { source.cancel() }
    }

    /// Fires once; a waiter that comes after the signal returns at once.
    final class Latch: Sendable {
        private let state = Mutex<(fired: Bool, waiter: CheckedContinuation<Void, Never>?)>((false, nil))

        func fire() {
            let waiter = state.withLock { current in
                current.fired = true
                defer { current.waiter = nil }
                return current.waiter
            }
            waiter?.resume()
        }

        func wait() async {
            await withCheckedContinuation { continuation in
                let fired = state.withLock { current in
                    if !current.fired { current.waiter = continuation }
                    return current.fired
                }
                if fired { continuation.resume() }
            }
        }
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
