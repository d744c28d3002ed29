import AzureKit
import CofferCore
import CofferFramework
import CofferHTTP
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOEmbedded

/// In-process timings of a login's parts, without HTTP: where a login's time goes beside a bare verify.
/// Each case runs alone, one request at a time, for a fixed duration; wall and process-CPU time per
/// operation are reported, the CPU figure including every thread the operation touched.
///
/// ```text
/// $ LoginBenchmark --micro 3 [--only core-login-sp] [--tasks 2]   # seconds per case; --only to profile one
/// ```
struct MicroBenchmark {
    let stack: LoginStack
    let seconds: Double
    /// Concurrent tasks per case, each running the case in a loop (1: one at a time).
    var tasks = 1

    /// The cases, cheapest first; `name` is what `--only` selects.
    func cases() -> [(name: String, label: String, run: @Sendable () async throws -> Void)] {
        let jwt = stack.bodies.jwt
        let bare = stack.bareVerifier
        let azure = AzureTokenVerifier(settings: stack.settings, http: stack.services.http)
        let core = stack.core
        let login = CoreRequest(
            operation: .update, path: "auth/azure/login", data: ["role": "sp-role", "jwt": .string(jwt)])
        let vault = VaultResponder(core: core, logger: Logger(label: "micro"))
        // Thread-safe, unlike EmbeddedChannel, whose every `remoteAddress` read from a pool thread other than
        // its creator's printed a misuse warning to stderr (a write(2) per read, charged to the responder cases).
        let channel = NIOAsyncTestingChannel()
        channel.remoteAddress = try? SocketAddress(ipAddress: "127.0.0.1", port: 50_000)
        let logger = Logger(label: "micro")
        @Sendable func request(_ path: String, _ body: String) -> Request {
            Request(
                head: HTTPRequest(
                    method: .post, scheme: "http", authority: "127.0.0.1", path: path,
                    headerFields: [.contentType: "application/json"]),
                body: RequestBody(buffer: ByteBuffer(string: body)))
        }
        let (verifyBody, loginBody) = (stack.bodies.verify, stack.bodies.servicePrincipalLogin)
        return [
            (
                "bare-verify", "jwt-kit RS256 verify (the baseline route's work)",
                {
                    guard await bare.verify(jwt) else { throw BenchmarkError("bare verify failed") }
                }
            ),
            ("azure-verify", "AzureTokenVerifier.verify (warm keys)", { _ = try await azure.verify(jwt) }),
            (
                "core-login-sp", "Core.handle auth/azure/login, sp-role (no HTTP)",
                {
                    let response = await core.handle(login)
                    guard response.status == 200 else { throw BenchmarkError("login: \(response.status)") }
                }
            ),
            (
                "responder-verify", "VerifyResponder.respond, POST /verify (no socket)",
                {
                    let context = CofferRequestContext(source: .init(channel: channel, logger: logger))
                    let response = try await bare.respond(to: request("/verify", verifyBody), context: context)
                    guard response.status == .ok else { throw BenchmarkError("verify: \(response.status)") }
                }
            ),
            (
                "responder-login-sp", "VaultResponder.respond, POST /v1/auth/azure/login, sp-role (no socket)",
                {
                    let context = CofferRequestContext(source: .init(channel: channel, logger: logger))
                    let response = try await vault.respond(
                        to: request("/v1/auth/azure/login", loginBody), context: context)
                    guard response.status == .ok else { throw BenchmarkError("login: \(response.status)") }
                }
            ),
        ]
    }

    func run(only: String?) async throws {
        print("| Case | ops/s | wall µs/op | CPU µs/op |")
        print("|---|---:|---:|---:|")
        for item in cases() where only == nil || only == item.name {
            for _ in 0..<200 { try await item.run() }  // warm caches and connections
            let cpu0 = Self.processCPUSeconds()
            let start = ContinuousClock.now
            let deadline = start + .milliseconds(Int64(seconds * 1000))
            let count = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        var count = 0
                        repeat {
                            for _ in 0..<50 { try await item.run() }
                            count += 50
                        } while ContinuousClock.now < deadline
                        return count
                    }
                }
                return try await group.reduce(0, +)
            }
            let wall = ContinuousClock.now - start
            let wallSeconds = Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18
            let cpu = Self.processCPUSeconds() - cpu0
            print(
                "| \(item.label) | \(Int(Double(count) / wallSeconds)) | "
                    + String(format: "%.1f | %.1f |", wallSeconds / Double(count) * 1e6, cpu / Double(count) * 1e6))
        }
    }

    static func processCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
