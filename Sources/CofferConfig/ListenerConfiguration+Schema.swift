/// The keys of a `listener "tcp"` stanza, declared once for the reader and the help table.
extension ListenerConfiguration {
    static let tlsVersions = ["tls10", "tls11", "tls12", "tls13"]

    /// Vault's own words for a TLS version it does not know.
    static func tlsVersionRefusal(_ key: String) -> (String, String) -> String {
        { _, written in
            "'\(key)' value \"\(written)\" not supported, please specify one of [\(tlsVersions.joined(separator: ","))]"
        }
    }

    static var tcpSchema: ConfigSection<ListenerConfiguration> {
        ConfigSection(
            name: "listener", label: "tcp", doc: "an HTTP API listener; repeat it for more; one is required",
            keys: addressKeys + tlsKeys,
            sections: [
                ConfigSection(
                    name: "telemetry", doc: "this listener's metrics access",
                    keys: [
                        .field(
                            "unauthenticated_metrics_access", .bool, \.unauthenticatedMetricsAccess,
                            doc: "sys/metrics without a token")
                    ])
            ],
            unsupported: [
                "cluster_address", "tls_cipher_suites", "tls_prefer_server_cipher_suites", "x_forwarded_for_*",
                "http_idle_timeout", "http_read_timeout", "http_write_timeout",
                "max_request_duration", "proxy_protocol_*", "cors_*", "profiling", "inflight_requests_logging",
                "custom_response_headers", "require_request_header", "redact_*",
                "disable_replication_status_endpoints", "chroot_namespace", "agent_api", "role",
            ])
    }

    private static var addressKeys: [ConfigKey<ListenerConfiguration>] {
        [
            .field("address", .hostPort, \.address, doc: "where the HTTP API listens"),
            .field(
                "max_request_size", .integer, \.maxRequestSize,
                doc: "larger bodies get 413; -1 disables the limit, 0 means the default",
                requirement: "of -1 or more",
                check: { $0 < -1 ? nil : ($0 == 0 ? ServerConfiguration.defaultMaxRequestSize : $0) }),
            .field(
                "max_connections", .integer, \.maxConnections,
                doc: "open connections at once; one past the cap is closed",
                requirement: "between 1 and 1000000", check: { (1...1_000_000).contains($0) ? $0 : nil }),
            .field(
                "http_read_header_timeout", .duration, \.readHeaderTimeout,
                doc: "a request head must arrive within this", requirement: "from 1s to 1h",
                check: { (1...3600).contains($0) ? $0 : nil }),
        ]
    }

    private static var tlsKeys: [ConfigKey<ListenerConfiguration>] {
        [
            .field("tls_disable", .bool, \.tlsDisable, doc: "plain HTTP; otherwise the two files are required"),
            .field("tls_cert_file", .optional("path"), \.tlsCertFile, doc: "PEM chain, leaf first; reread on SIGHUP"),
            .field("tls_key_file", .optional("path"), \.tlsKeyFile, doc: "PEM private key; reread on SIGHUP"),
            .field(
                "tls_min_version", .choice(tlsVersions, name: "tls version"), \.tlsMinVersion,
                doc: "lowest TLS accepted: tls10, tls11, tls12 or tls13",
                refusal: tlsVersionRefusal("tls_min_version")),
            .field(
                "tls_max_version", .choice(tlsVersions, name: "tls version"), \.tlsMaxVersion,
                doc: "highest TLS accepted: tls10 … tls13",
                refusal: tlsVersionRefusal("tls_max_version")),
            .field(
                "tls_client_ca_file", .optional("path"), \.tlsClientCAFile,
                doc: "CA bundle client certificates must chain to"),
            .field(
                "tls_require_and_verify_client_cert", .bool, \.tlsRequireAndVerifyClientCert,
                doc: "refuse clients without a valid certificate"),
            .field(
                "tls_disable_client_certs", .bool, \.tlsDisableClientCerts, doc: "never ask for client certificates"),
        ]
    }
}
