import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A throw-away PKI for TLS tests: a CA, two server leaves (SANs `127.0.0.1` and `localhost`) and a
/// client leaf, all signed by the CA, written as PEM files into a directory the test owns.
///
/// ```swift
/// try await TemporaryDirectory.with { directory in
///     let pki = try TestCertificates.write(into: directory)
///     var listener = ListenerConfiguration()
///     listener.tlsCertFile = pki.server.certificateFile
///     listener.tlsKeyFile = pki.server.keyFile
///     let client = try pki.clientTLSConfiguration(presentingClientCertificate: true)
/// }
/// ```
///
/// The second server leaf has its own subject so a test can tell which certificate a handshake saw
/// (the SIGHUP reload test swaps it in).
public struct TestCertificates: Sendable {
    /// One leaf certificate and its key, as PEM files.
    public struct Leaf: Sendable {
        public let certificateFile: String
        public let keyFile: String
        /// The subject's common name, unique to this leaf.
        public let commonName: String
    }

    /// The CA certificate (PEM) every leaf chains to.
    public let caFile: String
    public let server: Leaf
    public let secondServer: Leaf
    public let client: Leaf

    /// Mints a fresh CA and leaves with P-256 keys, valid from an hour ago for a day.
    public static func write(into directory: URL) throws -> TestCertificates {
        let caKey = P256.Signing.PrivateKey()
        let caName = try DistinguishedName {
            OrganizationName("Coffer tests")
            CommonName("Coffer Test CA")
        }
        let caExtensions = try Certificate.Extensions {
            Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
            Critical(KeyUsage(keyCertSign: true, cRLSign: true))
        }
        let ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
            notValidBefore: Date() - 3600, notValidAfter: Date() + 86_400, issuer: caName, subject: caName,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: caExtensions, issuerPrivateKey: .init(caKey))
        let caFile = directory.appendingPathComponent("ca.pem").path
        try writePEM(try ca.serializeAsPEM().pemString, to: caFile)
        let issuer = Issuer(certificate: ca, key: caKey)
        return TestCertificates(
            caFile: caFile,
            server: try issuer.leaf(
                name: "server", commonName: "coffer-test-server", usage: .serverAuth, in: directory),
            secondServer: try issuer.leaf(
                name: "server2", commonName: "coffer-test-server-2", usage: .serverAuth, in: directory),
            client: try issuer.leaf(name: "client", commonName: "coffer-test-client", usage: .clientAuth, in: directory)
        )
    }

    /// A client configuration trusting only the test CA, optionally presenting the client leaf.
    public func clientTLSConfiguration(presentingClientCertificate: Bool = false) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(caFile)
        if presentingClientCertificate {
            tls.certificateChain = try NIOSSLCertificate.fromPEMFile(client.certificateFile).map { .certificate($0) }
            tls.privateKey = .privateKey(try NIOSSLPrivateKey(file: client.keyFile, format: .pem))
        }
        return tls
    }

    /// The subject common name of a certificate a TLS peer presented (nil when it has none).
    public static func commonName(of certificate: NIOSSLCertificate) throws -> String? {
        let parsed = try Certificate(derEncoded: try certificate.toDERBytes())
        for relativeName in parsed.subject {
            for attribute in relativeName where attribute.type == .RDNAttributeType.commonName {
                return String(describing: attribute.value)
            }
        }
        return nil
    }

    /// The CA that signs the leaves.
    struct Issuer {
        let certificate: Certificate
        let key: P256.Signing.PrivateKey

        func leaf(name: String, commonName: String, usage: ExtendedKeyUsage.Usage, in directory: URL) throws -> Leaf {
            let key = P256.Signing.PrivateKey()
            let subject = try DistinguishedName {
                OrganizationName("Coffer tests")
                CommonName(commonName)
            }
            let extensions = try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage([usage])
                SubjectAlternativeNames([
                    .dnsName("localhost"), .ipAddress(ASN1OctetString(contentBytes: [127, 0, 0, 1])),
                ])
            }
            let certificate = try Certificate(
                version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
                notValidBefore: Date() - 3600, notValidAfter: Date() + 86_400, issuer: self.certificate.subject,
                subject: subject, signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions,
                issuerPrivateKey: .init(self.key))
            let certificateFile = directory.appendingPathComponent("\(name).pem").path
            let keyFile = directory.appendingPathComponent("\(name)-key.pem").path
            try TestCertificates.writePEM(try certificate.serializeAsPEM().pemString, to: certificateFile)
            try TestCertificates.writePEM(key.pemRepresentation, to: keyFile, mode: 0o600)
            return Leaf(certificateFile: certificateFile, keyFile: keyFile, commonName: commonName)
        }
    }

    static func writePEM(_ pem: String, to path: String, mode: Int = 0o644) throws {
        guard
            FileManager.default.createFile(
                atPath: path, contents: Data((pem + "\n").utf8), attributes: [.posixPermissions: mode])
        else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
