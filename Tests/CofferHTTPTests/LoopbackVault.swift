import CofferClient
import CofferCore
import CofferHTTP
import CofferTesting
import Foundation
import Logging

/// The HTTP stack `coffer server` runs — ``VaultResponder`` behind ``VaultHTTPServer`` (so `LIST` goes through the
/// request-line rewriter) — listening on 127.0.0.1 port 0 over a given core, for one test.
///
/// ```swift
/// let harness = try await CoreHarness.make()
/// try await LoopbackVault.with(harness.core) { vault in
///     let answer = try await vault.send("GET", "sys/mounts", token: harness.rootToken)
///     #expect(answer.statusCode == 200)
/// }
/// ```
struct LoopbackVault: Sendable {
    let client: VaultClient

    /// Serves `core` until `body` ends, however it ends.
    static func with<T: Sendable>(_ core: Core, _ body: (LoopbackVault) async throws -> T) async throws -> T {
        var logger = Logger(label: "coffer-http-tests")
        logger.logLevel = .critical
        let server = try await LoopbackServer.start(
            responder: VaultResponder(core: core, logger: logger), logger: logger)
        do {
            let result = try await withVaultClient(.init(address: server.url, timeout: .seconds(30))) {
                try await body(LoopbackVault(client: $0))
            }
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// One request below `/v1/`, with `token` in `X-Vault-Token` (none when nil), whatever the answer's status.
    func send(
        _ method: String, _ path: String, token: String?, body: String? = nil, query: [String: String] = [:]
    ) async throws -> VaultResponse {
        try await client.send(
            method, path, body: body.map { Data($0.utf8) }, query: query, headers: ["X-Vault-Token": token ?? ""])
    }
}

extension VaultResponse {
    /// The body exactly as it came off the wire.
    var text: String { String(decoding: body, as: UTF8.self) }
}
