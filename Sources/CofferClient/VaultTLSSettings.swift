import Foundation
import NIOSSL

/// How ``VaultClient`` verifies the server and presents itself over `https`: the client side of the
/// `VAULT_CACERT`, `VAULT_CAPATH`, `VAULT_CLIENT_CERT`, `VAULT_CLIENT_KEY` and `VAULT_TLS_SERVER_NAME` variables
/// (README.md, "CLI").
///
/// ```swift
/// var configuration = VaultClient.Configuration(address: "https://127.0.0.1:8200")
/// configuration.tls = VaultTLSSettings(caCertificateFile: "/etc/coffer/ca.pem", serverName: "coffer.internal")
/// let client = try VaultClient(configuration: configuration)
/// ```
///
/// A CA file replaces the system trust store (as the Go client does); a CA file wins over a CA directory.
/// Certificates and keys are read when the client is created, so a bad file fails there, not on the first request.
public struct VaultTLSSettings: Sendable, Equatable {
    /// A PEM file of CA certificates to trust (`VAULT_CACERT`).
    public var caCertificateFile: String?
    /// A directory of PEM files, each holding CA certificates to trust (`VAULT_CAPATH`).
    public var caDirectory: String?
    /// The client certificate chain presented to servers that ask for one (`VAULT_CLIENT_CERT`).
    public var clientCertificateFile: String?
    /// The private key of ``clientCertificateFile`` (`VAULT_CLIENT_KEY`).
    public var clientKeyFile: String?
    /// The name sent as SNI and checked against the server certificate instead of the address's host
    /// (`VAULT_TLS_SERVER_NAME`).
    public var serverName: String?

    public init(
        caCertificateFile: String? = nil, caDirectory: String? = nil, clientCertificateFile: String? = nil,
        clientKeyFile: String? = nil, serverName: String? = nil
    ) {
        self.caCertificateFile = caCertificateFile
        self.caDirectory = caDirectory
        self.clientCertificateFile = clientCertificateFile
        self.clientKeyFile = clientKeyFile
        self.serverName = serverName
    }

    /// Reads the `VAULT_*` TLS variables; empty values count as unset, like the Go client.
    static func fromEnvironment(_ environment: [String: String]) -> VaultTLSSettings {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        return VaultTLSSettings(
            caCertificateFile: value("VAULT_CACERT"), caDirectory: value("VAULT_CAPATH"),
            clientCertificateFile: value("VAULT_CLIENT_CERT"), clientKeyFile: value("VAULT_CLIENT_KEY"),
            serverName: value("VAULT_TLS_SERVER_NAME"))
    }

    /// The NIOSSL client configuration: TLS 1.2 at least, the chosen trust roots, the client identity.
    func makeTLSConfiguration(skipVerification: Bool) throws -> TLSConfiguration {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if skipVerification { tls.certificateVerification = .none }
        if let roots = try trustedCertificates() { tls.trustRoots = .certificates(roots) }
        switch (clientCertificateFile, clientKeyFile) {
        case (let certificate?, let key?):
            let chain = try Self.certificates(inFile: certificate, what: "client certificate")
            tls.certificateChain = chain.map { .certificate($0) }
            tls.privateKey = .privateKey(try Self.privateKey(inFile: key))
        case (nil, nil):
            break
        default:
            throw VaultClientError.configuration("both client cert and client key must be provided")
        }
        return tls
    }

    /// The CA file's certificates, else every certificate in the CA directory's files; `nil` keeps the system roots.
    private func trustedCertificates() throws -> [NIOSSLCertificate]? {
        if let caCertificateFile {
            return try Self.certificates(inFile: caCertificateFile, what: "CA File")
        }
        guard let caDirectory else { return nil }
        var roots: [NIOSSLCertificate] = []
        for file in try Self.regularFiles(under: caDirectory) {
            roots += try Self.certificates(inFile: file, what: "CA File")
        }
        return roots
    }

    /// Every regular file below `directory`, recursively and in a stable order (Go's `filepath.Walk`).
    private static func regularFiles(under directory: String) throws -> [String] {
        guard let walker = FileManager.default.enumerator(atPath: directory) else {
            throw VaultClientError.configuration("Error loading CA Path: cannot read directory \(directory)")
        }
        var files: [String] = []
        while let relative = walker.nextObject() as? String {
            let path = (directory as NSString).appendingPathComponent(relative)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(path)
            }
        }
        return files.sorted()
    }

    private static func certificates(inFile path: String, what: String) throws -> [NIOSSLCertificate] {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw VaultClientError.configuration("Error loading \(what): open \(path): no such file or not readable")
        }
        let certificates = try? NIOSSLCertificate.fromPEMBytes(Array(contents))
        guard let certificates, !certificates.isEmpty else {
            throw VaultClientError.configuration("Error loading \(what): Couldn't parse PEM in: \(path)")
        }
        return certificates
    }

    private static func privateKey(inFile path: String) throws -> NIOSSLPrivateKey {
        guard let contents = FileManager.default.contents(atPath: path) else {
            throw VaultClientError.configuration("Error loading client key: open \(path): no such file or not readable")
        }
        do {
            return try NIOSSLPrivateKey(bytes: Array(contents), format: .pem)
        } catch {
            // The key's bytes never go into the message; only the path does.
            throw VaultClientError.configuration("Error loading client key: no PEM private key found in \(path)")
        }
    }
}
