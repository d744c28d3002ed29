import CofferConfig
import CofferHTTP

extension ListenerConfiguration {
    /// The listener's TLS settings, nil with `tls_disable = true`; like Vault, a TLS listener without both
    /// files refuses to start, naming the missing key.
    ///
    /// ```swift
    /// if let settings = try listener.tlsSettings() { holder = try TLSContextHolder(settings: settings) }
    /// ```
    func tlsSettings() throws(ListenerTLSError) -> ListenerTLSSettings? {
        if tlsDisable { return nil }
        guard let certificateFile = tlsCertFile, !certificateFile.isEmpty else {
            throw ListenerTLSError(
                "Error initializing listener of type tcp: 'tls_cert_file' must be set"
                    + " (or set tls_disable = true to serve plain HTTP on \(address))")
        }
        guard let keyFile = tlsKeyFile, !keyFile.isEmpty else {
            throw ListenerTLSError(
                "Error initializing listener of type tcp: 'tls_key_file' must be set"
                    + " (or set tls_disable = true to serve plain HTTP on \(address))")
        }
        return ListenerTLSSettings(
            certificateFile: certificateFile, keyFile: keyFile, minVersion: tlsMinVersion, maxVersion: tlsMaxVersion,
            clientCAFile: tlsClientCAFile?.isEmpty == false ? tlsClientCAFile : nil,
            requireAndVerifyClientCert: tlsRequireAndVerifyClientCert, disableClientCerts: tlsDisableClientCerts)
    }
}
