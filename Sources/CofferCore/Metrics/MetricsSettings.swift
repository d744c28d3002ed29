/// What the server's `telemetry` stanza says, in the terms the core's metrics need (docs/metrics.md).
///
/// ```swift
/// var settings = MetricsSettings()
/// settings.prometheusEnabled = true        // a `telemetry {}` stanza with a non-zero prometheus_retention_time
/// settings.hostname = nil                  // disable_hostname = true
/// let metrics = CofferMetrics(settings: settings)
/// ```
public struct MetricsSettings: Sendable, Equatable {
    /// `metrics_prefix`: the first segment of every Vault-named metric.
    public var prefix = "vault"
    /// Inserted after the prefix in gauge names, as Vault does unless `disable_hostname = true`; nil leaves it out.
    public var hostname: String? = nil
    /// Whether `sys/metrics?format=prometheus` answers: only with a `telemetry` stanza whose
    /// `prometheus_retention_time` is not 0, as in Vault.
    public var prometheusEnabled = false
    /// Seconds between refreshes of the token and entity count gauges; 0 turns them off (`"none"`).
    public var usageGaugePeriod: Int64 = 600

    public init() {}
}
