import AsyncHTTPClient
import CofferHTTP
import CofferTesting
import Foundation
import Logging
import NIOCore
import NIOSSL
import Testing

/// The TLS listener end to end on 127.0.0.1: VaultResponder behind VaultHTTPServer with a ``TLSContextHolder``,
/// certificates minted per test by ``TestCertificates``, clients trusting only that CA.
@Suite struct TLSListenerTests {
    /// Serves a fresh core over TLS with `settings` (built from the test PKI) until `body` ends.
    private func withTLSServer<T: Sendable>(
        limits: VaultHTTPServer.Limits = .init(), _ settings: (TestCertificates) -> ListenerTLSSettings,
        _ body: (TestCertificates, LoopbackServer, TLSContextHolder) async throws -> T
    ) async throws -> T {
        try await TemporaryDirectory.with(prefix: "coffer-tls") { directory in
            let pki = try TestCertificates.write(into: directory)
            let harness = try await CoreHarness.make()
            var logger = Logger(label: "coffer-tls-tests")
            logger.logLevel = .critical
            let holder = try TLSContextHolder(settings: settings(pki))
            let server = try await LoopbackServer.start(
                responder: VaultResponder(core: harness.core, logger: logger), tls: holder, limits: limits,
                logger: logger)
            do {
                let result = try await body(pki, server, holder)
                await server.stop()
                return result
            } catch {
                await server.stop()
                throw error
            }
        }
    }

    private static func serverSettings(_ pki: TestCertificates) -> ListenerTLSSettings {
        ListenerTLSSettings(certificateFile: pki.server.certificateFile, keyFile: pki.server.keyFile)
    }

    /// `GET url` with a fresh client using `tls`; the status, or the error that stopped it.
    private func status(_ url: String, tls: TLSConfiguration?) async -> Result<UInt, any Error> {
        var configuration = HTTPClient.Configuration()
        configuration.tlsConfiguration = tls
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let result: Result<UInt, any Error>
        do {
            let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
            result = .success(response.status.code)
        } catch {
            result = .failure(error)
        }
        try? await client.shutdown()
        return result
    }

    /// The error one raw connection meets sending `GET /v1/sys/health` (nil if it got an answer): a refused
    /// handshake fails the first exchange at once, where AsyncHTTPClient would retry until its deadline.
    private func refusal(port: Int, tls: TLSConfiguration?, send: Bool = true) async -> (any Error)? {
        do {
            _ = try await RawHTTPConnection.with(port: port, tls: tls) { connection in
                send ? try await connection.get("/v1/sys/health") : try await connection.readResponse()
            }
            return nil
        } catch {
            return error
        }
    }

    @Test func aClientTrustingTheTestCAGetsHealthOverTLS() async throws {
        try await withTLSServer(Self.serverSettings) { pki, server, _ in
            #expect(server.url.hasPrefix("https://"))
            let answer = await status(server.url + "/v1/sys/health", tls: try pki.clientTLSConfiguration())
            #expect(try answer.get() == 200)
            try await RawHTTPConnection.with(port: server.port, tls: try pki.clientTLSConfiguration()) { probe in
                let health = try await probe.get("/v1/sys/health")
                #expect(health.status == 200)
                #expect(health.body.contains(#""sealed":false"#))
                #expect(try await probe.serverCommonName() == pki.server.commonName)
            }
        }
    }

    @Test func aClientThatDoesNotTrustTheCAIsRefused() async throws {
        try await withTLSServer(Self.serverSettings) { _, server, _ in
            // Trusts no CA at all (the system bundle would refuse the test CA too, but takes seconds to load).
            var untrusting = TLSConfiguration.makeClientConfiguration()
            untrusting.trustRoots = .certificates([])
            let error = await refusal(port: server.port, tls: untrusting)
            // The handshake fails on the client; which error the request sees depends on whether the request was
            // queued before the failure closed the channel. Either way no HTTP answer came back.
            let closed = (error as? ChannelError) == .ioOnClosedChannel
            #expect(error is NIOSSLError || closed, "\(String(describing: error))")
        }
    }

    @Test func plainHTTPToTheTLSPortGetsNoHTTPAnswer() async throws {
        try await withTLSServer(Self.serverSettings) { _, server, _ in
            let error = await refusal(port: server.port, tls: nil)
            #expect(error is RawHTTPConnection.Closed, "\(String(describing: error))")
        }
    }

    /// A client that connects and never starts the handshake is closed by the request-head deadline, which runs
    /// from the connection's start.
    @Test(.timeLimit(.minutes(1))) func aHandshakeThatNeverStartsIsClosedByTheHeadDeadline() async throws {
        try await withTLSServer(limits: .init(headTimeout: .seconds(1)), Self.serverSettings) { _, server, _ in
            let started = ContinuousClock.now
            let error = await refusal(port: server.port, tls: nil, send: false)
            #expect(error is RawHTTPConnection.Closed, "\(String(describing: error))")
            let waited = ContinuousClock.now - started
            #expect(waited >= .milliseconds(900) && waited < .seconds(8), "closed after \(waited)")
        }
    }

    @Test func aTLS13ListenerRefusesATLS12OnlyClient() async throws {
        let settings = { (pki: TestCertificates) in
            var settings = Self.serverSettings(pki)
            settings.minVersion = "tls13"
            return settings
        }
        try await withTLSServer(settings) { pki, server, _ in
            var old = try pki.clientTLSConfiguration()
            old.maximumTLSVersion = .tlsv12
            // The server ends the handshake (no shared version): the client sees its channel closed.
            #expect(await refusal(port: server.port, tls: old) != nil)
            let modern = await status(server.url + "/v1/sys/health", tls: try pki.clientTLSConfiguration())
            #expect(try modern.get() == 200)
        }
    }

    @Test func theDefaultMinimumRefusesATLS11OnlyClient() async throws {
        try await withTLSServer(Self.serverSettings) { pki, server, _ in
            var old = try pki.clientTLSConfiguration()
            old.minimumTLSVersion = .tlsv1
            old.maximumTLSVersion = .tlsv11
            #expect(await refusal(port: server.port, tls: old) != nil)
            #expect(await refusal(port: server.port, tls: try pki.clientTLSConfiguration()) == nil)
        }
    }

    @Test func requiredClientCertificatesRefuseAClientWithoutOne() async throws {
        let settings = { (pki: TestCertificates) in
            var settings = Self.serverSettings(pki)
            settings.clientCAFile = pki.caFile
            settings.requireAndVerifyClientCert = true
            return settings
        }
        try await withTLSServer(settings) { pki, server, _ in
            let anonymous = await refusal(port: server.port, tls: try pki.clientTLSConfiguration())
            // Refused in the handshake: the client reads the certificate_required alert or, when the server has
            // already closed, a closed channel; either way no HTTP answer comes back.
            #expect(anonymous != nil)
            let withCertificate = await status(
                server.url + "/v1/sys/health", tls: try pki.clientTLSConfiguration(presentingClientCertificate: true))
            #expect(try withCertificate.get() == 200)
        }
    }

    @Test func reloadServesTheNewCertificateToNewConnectionsOnly() async throws {
        try await withTLSServer(Self.serverSettings) { pki, server, holder in
            let tls = try pki.clientTLSConfiguration()
            try await RawHTTPConnection.with(port: server.port, tls: tls) { before in
                #expect(try await before.get("/v1/sys/health").status == 200)
                #expect(try await before.serverCommonName() == pki.server.commonName)
                try replace(pki.server, with: pki.secondServer)
                try holder.reload()
                try await RawHTTPConnection.with(port: server.port, tls: tls) { after in
                    let health = try await after.get("/v1/sys/health")
                    let name = try await after.serverCommonName()
                    #expect(health.status == 200)
                    #expect(name == pki.secondServer.commonName)
                }
                // The connection opened before the reload is still served, on its original certificate.
                #expect(try await before.get("/v1/sys/health").status == 200)
                #expect(try await before.serverCommonName() == pki.server.commonName)
            }
        }
    }

    @Test func aBadPairOnReloadIsRefusedAndTheOldCertificateStays() async throws {
        try await withTLSServer(Self.serverSettings) { pki, server, holder in
            // The second leaf's certificate with the first leaf's key: not a pair.
            try FileManager.default.removeItem(atPath: pki.server.certificateFile)
            try FileManager.default.copyItem(
                atPath: pki.secondServer.certificateFile, toPath: pki.server.certificateFile)
            #expect(throws: ListenerTLSError.self) { try holder.reload() }
            try await RawHTTPConnection.with(port: server.port, tls: try pki.clientTLSConfiguration()) { probe in
                let health = try await probe.get("/v1/sys/health")
                let name = try await probe.serverCommonName()
                #expect(health.status == 200)
                #expect(name == pki.server.commonName)
            }
        }
    }

    /// Overwrites `leaf`'s files with `replacement`'s, as an operator renewing a certificate in place.
    private func replace(_ leaf: TestCertificates.Leaf, with replacement: TestCertificates.Leaf) throws {
        for (target, source) in [
            (leaf.certificateFile, replacement.certificateFile), (leaf.keyFile, replacement.keyFile),
        ] {
            try FileManager.default.removeItem(atPath: target)
            try FileManager.default.copyItem(atPath: source, toPath: target)
        }
    }
}
