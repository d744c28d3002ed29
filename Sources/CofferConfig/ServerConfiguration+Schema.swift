/// The declarations of every stanza and key, from which the reader works and `coffer server -help` and
/// README.md's table are generated.
extension ServerConfiguration {
    /// The configuration reference: one row per stanza and key with its HCL path, type, default and doc.
    public static var helpRows: [ConfigHelpRow] {
        func stanza<Root>(_ section: ConfigSection<Root>, defaults: Root) -> [ConfigHelpRow] {
            [ConfigHelpRow(path: section.helpName, type: "block", defaultValue: "—", doc: section.doc)]
                + section.helpRows(defaults: defaults, prefix: section.helpName + ".")
        }
        var defaults = ServerConfiguration()
        defaults.sealKeyFile = nil
        return stanza(sqliteStorage, defaults: defaults) + stanza(postgresqlStorage, defaults: defaults)
            + stanza(inmemStorage, defaults: defaults)
            + stanza(ListenerConfiguration.tcpSchema, defaults: ListenerConfiguration())
            + stanza(staticSeal, defaults: defaults)
            + schema.helpRows(defaults: defaults)
    }

    /// The top level: its scalar keys and the `telemetry` stanza (`storage`, `listener` and `seal` are
    /// labelled stanzas, read by ``ConfigFileReader``).
    public static var schema: ConfigSection<ServerConfiguration> {
        ConfigSection(
            name: "", doc: "",
            keys: [
                .field(
                    "api_addr", .optional("string"), \.apiAddress,
                    doc: "URL clients reach this server at (VAULT_API_ADDR wins)"),
                .field(
                    "cluster_addr", .optional("string"), \.clusterAddress, doc: "cluster URL (VAULT_CLUSTER_ADDR wins)"),
                .field("cluster_name", .optional("string"), \.clusterName, doc: "generated at first unseal when unset"),
                .field(
                    "default_lease_ttl", .duration, \.defaultLeaseTTL, doc: "system default TTL for tokens and leases",
                    requirement: "greater than zero", check: positive),
                .field(
                    "max_lease_ttl", .duration, \.maxLeaseTTL, doc: "system maximum TTL",
                    requirement: "greater than zero", check: positive),
                .field(
                    "log_level", .choice(["trace", "debug", "info", "warn", "error"], aliases: ["warning": "warn"]),
                    \.logLevel, doc: "VAULT_LOG_LEVEL and -log-level win"),
                .field(
                    "log_format", .choice(["standard", "json"], aliases: ["text": "standard"]), \.logFormat,
                    doc: "json: one JSON object per line (VAULT_LOG_FORMAT wins)"),
                .field(
                    "disable_mlock", .bool, \.disableMlock, doc: "accepted for Vault files (VAULT_DISABLE_MLOCK wins)"),
                .field(
                    "shutdown_grace_period", .duration, \.shutdownGracePeriod,
                    doc: "SIGTERM waits this long for requests in flight", requirement: "from 0s to 1h",
                    check: { (0...3600).contains($0) ? $0 : nil }),
                .field(
                    "cache_size", .integer, \.cacheSize,
                    doc: "storage read cache entries (0 = default); a quarter bounds cached tokens",
                    requirement: "from 0 to 100000000", check: { (0...100_000_000).contains($0) ? $0 : nil }),
                .field("disable_cache", .bool, \.disableCache, doc: "no read cache in front of storage"),
                .field(
                    "disable_forwarding", .bool, \.disableForwarding,
                    doc: "HA standbys redirect (307) instead of forwarding (docs/ha.md)"),
            ],
            sections: [telemetry],
            unsupported: [
                "ha_storage", "ha_backend", "backend", "service_registration", "ui", "plugin_directory", "pid_file",
                "disable_clustering", "disable_printable_check", "raw_storage_endpoint",
                "introspection_endpoint", "enable_response_header_hostname", "enable_response_header_raft_node_id",
                "log_requests_level", "log_file", "log_rotate_*", "user_lockout", "experiments",
                "imprecise_lease_role_tracking", "default_max_request_duration", "disable_sealwrap",
                "disable_performance_standby", "license_path", "entropy", "replication", "plugin_file_*",
            ])
    }

    static var telemetry: ConfigSection<ServerConfiguration> {
        ConfigSection(
            name: "telemetry", doc: "metrics; its presence turns on sys/metrics?format=prometheus",
            keys: [
                .field(
                    "prometheus_retention_time", .duration, \.telemetryStanza.prometheusRetentionTime,
                    doc: "how long an idle metric is kept; 0 disables Prometheus", requirement: "of 0s or more",
                    check: { $0 >= 0 ? $0 : nil }),
                .field(
                    "disable_hostname", .bool, \.telemetryStanza.disableHostname,
                    doc: "leave the host name out of gauge names"),
                .field("metrics_prefix", .string, \.telemetryStanza.metricsPrefix, doc: "prefix of every metric name"),
                .field(
                    "usage_gauge_period", .durationOrNone, \.telemetryStanza.usageGaugePeriod,
                    doc: "refresh of token/entity count gauges", requirement: "of 0s or more",
                    check: { $0 >= 0 ? $0 : nil }),
            ],
            unsupported: [
                "enable_hostname_label", "maximum_gauge_cardinality", "lease_metrics_epsilon",
                "num_lease_metrics_buckets", "add_lease_metrics_namespace_labels", "filter_default", "prefix_filter",
                "statsd_address", "statsite_address", "dogstatsd_*", "circonus_*", "stackdriver_*",
            ],
            enter: { $0.telemetry = $0.telemetry ?? TelemetryConfiguration() })
    }

    static var sqliteStorage: ConfigSection<ServerConfiguration> {
        ConfigSection(
            name: "storage", label: "sqlite", doc: "SQLite storage; exactly one storage stanza is required",
            keys: [
                .field(
                    "path", .path, \.storagePath, doc: "database file (WAL, synchronous=FULL; created 0600)",
                    required: true, requirement: "that is not empty", check: { $0.isEmpty ? nil : $0 })
            ])
    }

    static var postgresqlStorage: ConfigSection<ServerConfiguration> {
        ConfigSection(
            name: "storage", label: "postgresql",
            doc: "PostgreSQL storage (tables created if missing; docs/storage.md)",
            keys: [
                .field(
                    "connection_url", .optional("url"), \.postgresql.connectionURL,
                    doc: "postgres://user:pw@host:port/db?sslmode=…; never logged",
                    requirement: "that is not empty",
                    // Explicit `String??`: an empty URL must be refused (.none), not stored as unset (.some(nil)).
                    check: { (url: String?) -> String?? in url?.isEmpty == false ? .some(url) : .none }),
                .field(
                    "table", .string, \.postgresql.table, doc: "key/value table (and <table>_schema)",
                    requirement: "of 1-48 letters, digits or underscores", check: validTableName),
                .field(
                    "ha_enabled", .bool, \.postgresql.haEnabled,
                    doc: "nodes sharing the tables elect an active node; needs api_addr"),
                .field(
                    "ha_table", .string, \.postgresql.haTable, doc: "HA lock table",
                    requirement: "of 1-48 letters, digits or underscores", check: validTableName),
                .field(
                    "max_parallel", .integer, \.postgresql.maxParallel, doc: "most connections open at once",
                    requirement: "between 1 and 10000", check: { (1...10_000).contains($0) ? $0 : nil }),
                .field(
                    "max_idle_connections", .integer, \.postgresql.maxIdleConnections,
                    doc: "connections kept open while idle",
                    requirement: "between 0 and 10000", check: { (0...10_000).contains($0) ? $0 : nil }),
                .field(
                    "lock_ttl", .duration, \.postgresql.lockTTL,
                    doc: "HA lease lifetime; renewed every third of it (Coffer)", requirement: "from 1s to 1h",
                    check: { (1...3600).contains($0) ? $0 : nil }),
            ])
    }

    /// Table names go into SQL as identifiers (they cannot be bound), so only plain ones are accepted.
    private static func validTableName(_ name: String) -> String? {
        let isPlain = name.utf8.allSatisfy {
            ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "_")
        }
        let startsWithDigit = name.utf8.first.map { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } ?? true
        return isPlain && !startsWithDigit && name.utf8.count <= 48 ? name : nil
    }

    static var inmemStorage: ConfigSection<ServerConfiguration> {
        ConfigSection(name: "storage", label: "inmem", doc: "in memory: everything is lost at exit", keys: [])
    }

    static var staticSeal: ConfigSection<ServerConfiguration> {
        ConfigSection(
            name: "seal", label: "static", doc: "auto-unseal with a 256-bit key; no seal stanza = Shamir",
            keys: [
                .field(
                    "key_file", .optional("path"), \.sealKeyFile,
                    doc: "key file, base64 or hex; refused if others can read it"),
                .field("key_env", .string, \.sealKeyEnv, doc: "variable holding the key when key_file is unset"),
            ])
    }

    private static func positive(_ seconds: Int64) -> Int64? { seconds > 0 ? seconds : nil }
}
