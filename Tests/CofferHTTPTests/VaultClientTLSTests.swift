import CofferClient
import CofferHTTP
import CofferTesting
import Foundation
import Logging
import Testing

/// ``VaultClient`` over TLS against Coffer's HTTP stack on 127.0.0.1: the `VAULT_CACERT`, `VAULT_CAPATH`,
/// `VAULT_CLIENT_CERT`/`VAULT_CLIENT_KEY`, `VAULT_SKIP_VERIFY` and `VAULT_TLS_SERVER_NAME` variables as
/// ``VaultClient/Configuration/fromEnvironment(_:)`` reads them, with certificates minted per test.
@Suite struct VaultClientTLSTests {
    /// Serves a fresh core over TLS (the test CA's server leaf, optionally requiring client certificates) and
    /// gives `body` the PKI, the `https` address and a second, unrelated CA file.
    private func withTLSServer<T: Sendable>(
        requireClientCertificate: Bool = false,
        _ body: (TestCertificates, String, String) async throws -> T
    ) async throws -> T {
        try await TemporaryDirectory.with(prefix: "coffer-client-tls") { directory in
            let pki = try TestCertificates.write(into: directory)
            let otherDirectory = directory.appendingPathComponent("other")
            try FileManager.default.createDirectory(at: otherDirectory, withIntermediateDirectories: true)
            let other = try TestCertificates.write(into: otherDirectory)
            let harness = try await CoreHarness.make()
            var logger = Logger(label: "coffer-client-tls-tests")
            logger.logLevel = .critical
            let settings = ListenerTLSSettings(
                certificateFile: pki.server.certificateFile, keyFile: pki.server.keyFile,
                clientCAFile: requireClientCertificate ? pki.caFile : nil,
                requireAndVerifyClientCert: requireClientCertificate)
            let server = try await LoopbackServer.start(
                responder: VaultResponder(core: harness.core, logger: logger),
                tls: try TLSContextHolder(settings: settings),
                logger: logger)
            do {
                let result = try await body(pki, server.url, other.caFile)
                await server.stop()
                return result
            } catch {
                await server.stop()
                throw error
            }
        }
    }

    /// `GET sys/health` with a client configured from `environment` (plus `VAULT_ADDR`, no token file).
    private func health(_ address: String, _ environment: [String: String]) async throws -> Int {
        var variables = environment
        variables["VAULT_ADDR"] = address
        variables["VAULT_TOKEN"] = "unused"
        let configuration = try VaultClient.Configuration.fromEnvironment(variables)
        return try await withVaultClient(configuration) { client in
            try await client.send("GET", "sys/health").statusCode
        }
    }

    /// `sys/health` answers 200 over the TLS connection `environment` describes.
    private func expectHealthy(
        _ address: String, _ environment: [String: String], sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let status = try await health(address, environment)
        #expect(status == 200, sourceLocation: sourceLocation)
    }

    /// True when the request failed in the transport (the handshake), not with an HTTP status.
    private func refused(_ address: String, _ environment: [String: String]) async -> Bool {
        do {
            _ = try await health(address, environment)
            return false
        } catch let error as VaultClientError {
            if case .transport = error { return true }
            return false
        } catch {
            return false
        }
    }

    @Test func caCertificateFileIsTheOnlyTrustRoot() async throws {
        try await withTLSServer { pki, address, otherCA in
            try await expectHealthy(address, ["VAULT_CACERT": pki.caFile])
            #expect(await refused(address, ["VAULT_CACERT": otherCA]))
            #expect(await refused(address, [:]), "the system roots do not know the test CA")
        }
    }

    @Test func caDirectoryIsReadAndTheCAFileWinsOverIt() async throws {
        try await withTLSServer { pki, address, otherCA in
            try await TemporaryDirectory.with(prefix: "coffer-capath") { right in
                try await TemporaryDirectory.with(prefix: "coffer-capath") { wrong in
                    let nested = right.appendingPathComponent("nested")
                    try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
                    try FileManager.default.copyItem(
                        atPath: pki.caFile, toPath: nested.appendingPathComponent("ca.pem").path)
                    try FileManager.default.copyItem(
                        atPath: otherCA, toPath: wrong.appendingPathComponent("ca.pem").path)
                    try await expectHealthy(address, ["VAULT_CAPATH": right.path])
                    #expect(await refused(address, ["VAULT_CAPATH": wrong.path]))
                    try await expectHealthy(address, ["VAULT_CACERT": pki.caFile, "VAULT_CAPATH": wrong.path])
                    #expect(await refused(address, ["VAULT_CACERT": otherCA, "VAULT_CAPATH": right.path]))
                }
            }
        }
    }

    @Test func clientCertificateIsPresentedWhenTheServerRequiresOne() async throws {
        try await withTLSServer(requireClientCertificate: true) { pki, address, _ in
            #expect(await refused(address, ["VAULT_CACERT": pki.caFile]))
            let withCertificate = [
                "VAULT_CACERT": pki.caFile, "VAULT_CLIENT_CERT": pki.client.certificateFile,
                "VAULT_CLIENT_KEY": pki.client.keyFile,
            ]
            try await expectHealthy(address, withCertificate)
        }
    }

    @Test func skipVerifyAcceptsAnUnknownCAAndFollowsGoParseBool() async throws {
        try await withTLSServer { _, address, _ in
            try await expectHealthy(address, ["VAULT_SKIP_VERIFY": "true"])
            try await expectHealthy(address, ["VAULT_SKIP_VERIFY": "1"])
            #expect(await refused(address, ["VAULT_SKIP_VERIFY": "false"]))
            #expect(throws: VaultClientError.configuration("could not parse VAULT_SKIP_VERIFY")) {
                try VaultClient.Configuration.fromEnvironment(["VAULT_SKIP_VERIFY": "yes", "VAULT_TOKEN": "t"])
            }
        }
    }

    /// The request dials the address's host while TLS uses the configured name (an unresolvable name would fail
    /// otherwise), and the chain is still verified. NIOSSL also accepts a certificate whose IP SAN is the dialled
    /// address, so a wrong name alone is not refused with these certificates (README.md, "CLI").
    @Test func serverNameIsUsedForTLSWhileTheAddressIsDialled() async throws {
        try await withTLSServer { pki, address, otherCA in
            try await expectHealthy(address, ["VAULT_CACERT": pki.caFile, "VAULT_TLS_SERVER_NAME": "localhost"])
            try await expectHealthy(
                address, ["VAULT_CACERT": pki.caFile, "VAULT_TLS_SERVER_NAME": "coffer.invalid"])
            #expect(await refused(address, ["VAULT_CACERT": otherCA, "VAULT_TLS_SERVER_NAME": "localhost"]))
        }
    }

    @Test func unusableTLSFilesFailWhenTheClientIsCreated() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-client-tls") { directory in
            let pki = try TestCertificates.write(into: directory)
            let notPEM = directory.appendingPathComponent("not.pem").path
            _ = FileManager.default.createFile(atPath: notPEM, contents: Data("hello".utf8))
            // Each of these throws before an HTTPClient exists, so there is nothing to shut down.
            func make(_ tls: VaultTLSSettings) throws {
                _ = try VaultClient(configuration: .init(address: "https://127.0.0.1:1", tls: tls))
            }
            #expect(throws: VaultClientError.configuration("both client cert and client key must be provided")) {
                try make(VaultTLSSettings(clientCertificateFile: pki.client.certificateFile))
            }
            #expect(throws: VaultClientError.configuration("Error loading CA File: Couldn't parse PEM in: \(notPEM)")) {
                try make(VaultTLSSettings(caCertificateFile: notPEM))
            }
            #expect(throws: VaultClientError.self) {
                try make(VaultTLSSettings(clientCertificateFile: pki.client.certificateFile, clientKeyFile: notPEM))
            }
        }
    }
}
