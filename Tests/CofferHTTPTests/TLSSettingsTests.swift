import CofferHTTP
import CofferTesting
import Foundation
import Testing

/// What a listener's TLS keys refuse before anything binds: Vault's texts for versions, and file errors that name
/// the key and the file but never echo what the file held.
@Suite struct TLSSettingsTests {
    private func withPKI<T>(_ body: (TestCertificates, URL) throws -> T) async throws -> T {
        try await TemporaryDirectory.with(prefix: "coffer-tls-settings") { directory in
            try body(try TestCertificates.write(into: directory), directory)
        }
    }

    private func error(_ settings: ListenerTLSSettings) -> String? {
        do {
            _ = try settings.makeContext()
            return nil
        } catch {
            return error.description
        }
    }

    @Test func unknownVersionsGetVaultsText() async throws {
        try await withPKI { pki, _ in
            var settings = ListenerTLSSettings(certificateFile: pki.server.certificateFile, keyFile: pki.server.keyFile)
            settings.minVersion = "tls14"
            #expect(
                error(settings)
                    == #"'tls_min_version' value "tls14" not supported, please specify one of [tls10,tls11,tls12,tls13]"#
            )
            settings.minVersion = "tls12"
            settings.maxVersion = "TLS13"
            #expect(
                error(settings)
                    == #"'tls_max_version' value "TLS13" not supported, please specify one of [tls10,tls11,tls12,tls13]"#
            )
            settings.maxVersion = "tls11"
            #expect(error(settings) == "'tls_min_version' (tls12) is above 'tls_max_version' (tls11)")
        }
    }

    @Test func disablingAndRequiringClientCertificatesAreExclusive() async throws {
        try await withPKI { pki, _ in
            let settings = ListenerTLSSettings(
                certificateFile: pki.server.certificateFile, keyFile: pki.server.keyFile,
                requireAndVerifyClientCert: true, disableClientCerts: true)
            #expect(
                error(settings)
                    == "'tls_disable_client_certs' and 'tls_require_and_verify_client_cert' are mutually exclusive")
        }
    }

    @Test func aMissingFileIsNamedWithItsKey() async throws {
        try await withPKI { pki, directory in
            let missing = directory.appendingPathComponent("nope.pem").path
            let noCertificate = error(ListenerTLSSettings(certificateFile: missing, keyFile: pki.server.keyFile))
            #expect(noCertificate == "error loading TLS cert: cannot read 'tls_cert_file' \"\(missing)\"")
            let noKey = error(ListenerTLSSettings(certificateFile: pki.server.certificateFile, keyFile: missing))
            #expect(noKey == "error loading TLS cert: cannot read 'tls_key_file' \"\(missing)\"")
            var withCA = ListenerTLSSettings(certificateFile: pki.server.certificateFile, keyFile: pki.server.keyFile)
            withCA.requireAndVerifyClientCert = true
            withCA.clientCAFile = missing
            #expect(error(withCA) == "error loading TLS cert: cannot read 'tls_client_ca_file' \"\(missing)\"")
        }
    }

    @Test func swappedFilesAreRefusedWithoutEchoingTheKey() async throws {
        try await withPKI { pki, _ in
            let swapped = try #require(
                error(ListenerTLSSettings(certificateFile: pki.server.keyFile, keyFile: pki.server.certificateFile)))
            #expect(swapped.hasPrefix("error loading TLS cert: 'tls_cert_file' \"\(pki.server.keyFile)\""))
            let keyText = try String(contentsOfFile: pki.server.keyFile, encoding: .utf8)
            let keyBody = keyText.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
            #expect(!swapped.contains("BEGIN"))
            #expect(!swapped.contains(String(keyBody.prefix(16))))
        }
    }

    @Test func aCertificateWithAnotherLeafsKeyIsRefused() async throws {
        try await withPKI { pki, _ in
            let mismatched = try #require(
                error(
                    ListenerTLSSettings(certificateFile: pki.server.certificateFile, keyFile: pki.secondServer.keyFile))
            )
            #expect(mismatched.contains("are not a usable pair"))
            #expect(mismatched.contains(pki.secondServer.keyFile))
        }
    }
}
