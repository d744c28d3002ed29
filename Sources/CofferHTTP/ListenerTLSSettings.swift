import Foundation
import NIOSSL

/// The TLS keys of one `listener "tcp"` stanza, turned into a `NIOSSLContext` by reading the PEM files.
///
/// ```swift
/// let settings = ListenerTLSSettings(certificateFile: "/etc/coffer/tls/server.pem",
///                                    keyFile: "/etc/coffer/tls/server-key.pem")
/// let holder = try TLSContextHolder(settings: settings)   // reads the files now
/// try holder.reload()                                       // and again on SIGHUP
/// ```
///
/// Errors name the key and the file they came from and never carry file contents, so a key file
/// given by mistake as the certificate cannot end up in a log (docs/tls.md).
public struct ListenerTLSSettings: Sendable, Equatable {
    /// PEM chain, leaf first (`tls_cert_file`).
    public var certificateFile: String
    /// PEM private key of the leaf (`tls_key_file`).
    public var keyFile: String
    /// `tls10` … `tls13` (`tls_min_version`).
    public var minVersion: String
    /// `tls10` … `tls13` (`tls_max_version`).
    public var maxVersion: String
    /// CA bundle client certificates must chain to; the system roots when nil (`tls_client_ca_file`).
    public var clientCAFile: String?
    /// Refuse a handshake without a client certificate that verifies (`tls_require_and_verify_client_cert`).
    public var requireAndVerifyClientCert: Bool
    /// Never ask for a client certificate (`tls_disable_client_certs`).
    public var disableClientCerts: Bool

    public init(
        certificateFile: String, keyFile: String, minVersion: String = "tls12", maxVersion: String = "tls13",
        clientCAFile: String? = nil, requireAndVerifyClientCert: Bool = false, disableClientCerts: Bool = false
    ) {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.minVersion = minVersion
        self.maxVersion = maxVersion
        self.clientCAFile = clientCAFile
        self.requireAndVerifyClientCert = requireAndVerifyClientCert
        self.disableClientCerts = disableClientCerts
    }

    /// Vault's names for the protocol versions, in order.
    static let versions: [(name: String, version: TLSVersion)] = [
        ("tls10", .tlsv1), ("tls11", .tlsv11), ("tls12", .tlsv12), ("tls13", .tlsv13),
    ]

    /// The version named by `key`'s value, or Vault's refusal naming the key and the value.
    static func version(_ value: String, key: String) throws(ListenerTLSError) -> (index: Int, version: TLSVersion) {
        guard let index = versions.firstIndex(where: { $0.name == value }) else {
            throw ListenerTLSError(
                "'\(key)' value \"\(value)\" not supported, please specify one of [tls10,tls11,tls12,tls13]")
        }
        return (index, versions[index].version)
    }

    /// Checks the settings and reads the files into a server configuration. Blocking file I/O: call it off
    /// the event loops (at start, or from the reload task).
    public func makeServerConfiguration() throws(ListenerTLSError) -> TLSConfiguration {
        let minimum = try Self.version(minVersion, key: "tls_min_version")
        let maximum = try Self.version(maxVersion, key: "tls_max_version")
        guard minimum.index <= maximum.index else {
            throw ListenerTLSError("'tls_min_version' (\(minVersion)) is above 'tls_max_version' (\(maxVersion))")
        }
        if disableClientCerts && requireAndVerifyClientCert {
            throw ListenerTLSError(
                "'tls_disable_client_certs' and 'tls_require_and_verify_client_cert' are mutually exclusive")
        }
        let chain = try Self.certificates(in: certificateFile, key: "tls_cert_file")
        let privateKey = try Self.privateKey(in: keyFile)
        var tls = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        tls.minimumTLSVersion = minimum.version
        tls.maximumTLSVersion = maximum.version
        if requireAndVerifyClientCert {
            // Verification of the client's chain only: clients have no host name to check.
            tls.certificateVerification = .noHostnameVerification
            if let clientCAFile {
                tls.trustRoots = .certificates(try Self.certificates(in: clientCAFile, key: "tls_client_ca_file"))
            } else {
                tls.trustRoots = .default
            }
        } else {
            // Coffer has no certificate auth method, so an optional client certificate would be unused:
            // it is not requested (see docs/tls.md).
            tls.certificateVerification = .none
        }
        return tls
    }

    /// Builds the context (which also checks that the key belongs to the leaf certificate).
    public func makeContext() throws(ListenerTLSError) -> NIOSSLContext {
        let configuration = try makeServerConfiguration()
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ListenerTLSError(
                "error loading TLS cert: 'tls_cert_file' \"\(certificateFile)\" and 'tls_key_file' \"\(keyFile)\""
                    + " are not a usable pair (\(Self.describe(error)))")
        }
    }

    static func read(_ path: String, key: String) throws(ListenerTLSError) -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ListenerTLSError("error loading TLS cert: cannot read '\(key)' \"\(path)\"")
        }
        return [UInt8](data)
    }

    static func certificates(in path: String, key: String) throws(ListenerTLSError) -> [NIOSSLCertificate] {
        let bytes = try read(path, key: key)
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMBytes(bytes)
        } catch {
            throw ListenerTLSError(
                "error loading TLS cert: '\(key)' \"\(path)\" is not a PEM certificate (\(describe(error)))")
        }
        guard !certificates.isEmpty else {
            throw ListenerTLSError("error loading TLS cert: '\(key)' \"\(path)\" holds no PEM certificate")
        }
        return certificates
    }

    static func privateKey(in path: String) throws(ListenerTLSError) -> NIOSSLPrivateKey {
        let bytes = try read(path, key: "tls_key_file")
        do {
            return try NIOSSLPrivateKey(bytes: bytes, format: .pem)
        } catch {
            throw ListenerTLSError(
                "error loading TLS cert: 'tls_key_file' \"\(path)\" is not an unencrypted PEM private key"
                    + " (\(describe(error)))")
        }
    }

    /// BoringSSL's error names (never the bytes that failed to parse).
    static func describe(_ error: any Error) -> String {
        if let error = error as? NIOSSLError { return "\(error)" }
        if let error = error as? BoringSSLError { return "\(error)" }
        return String(describing: type(of: error))
    }
}
