/// One `listener "tcp"` stanza: where the API listens, its TLS settings and its limits.
///
/// ```swift
/// var listener = ListenerConfiguration()
/// listener.address = "0.0.0.0:8200"
/// listener.tlsCertFile = "/etc/coffer/tls/server.pem"
/// listener.tlsKeyFile = "/etc/coffer/tls/server-key.pem"
/// ```
public struct ListenerConfiguration: Sendable, Equatable {
    public var address = "127.0.0.1:8200"
    /// As in Vault, TLS is on unless this is set; a TLS listener needs ``tlsCertFile`` and ``tlsKeyFile``.
    public var tlsDisable = false
    /// PEM certificate chain (leaf first); re-read on SIGHUP.
    public var tlsCertFile: String?
    /// PEM private key of the leaf certificate; re-read on SIGHUP.
    public var tlsKeyFile: String?
    /// `tls10`, `tls11`, `tls12` or `tls13`.
    public var tlsMinVersion = "tls12"
    public var tlsMaxVersion = "tls13"
    /// CA bundle that client certificates must chain to; used only with ``tlsRequireAndVerifyClientCert``.
    public var tlsClientCAFile: String?
    public var tlsRequireAndVerifyClientCert = false
    public var tlsDisableClientCerts = false
    public var maxRequestSize = ServerConfiguration.defaultMaxRequestSize
    public var maxConnections = 4096
    /// Seconds from a request head's first byte to its end.
    public var readHeaderTimeout: Int64 = 10
    /// The listener's own `telemetry { unauthenticated_metrics_access = true }`: `sys/metrics` without a token.
    public var unauthenticatedMetricsAccess = false

    public init() {}
}
