/// The top-level `telemetry` stanza. Its presence turns on the Prometheus format of `sys/metrics`.
///
/// ```swift
/// var telemetry = TelemetryConfiguration()
/// telemetry.disableHostname = true
/// telemetry.prometheusRetentionTime = 3600
/// ```
public struct TelemetryConfiguration: Sendable, Equatable {
    /// Seconds a metric that stopped changing is still reported; 0 disables the Prometheus format (Vault: 24h).
    public var prometheusRetentionTime: Int64 = 86_400
    /// Vault inserts the host name into gauge names unless this is set.
    public var disableHostname = false
    /// Prefix of every metric name (Vault's `metrics_prefix`).
    public var metricsPrefix = "vault"
    /// Seconds between refreshes of the token and entity count gauges; 0 disables them (`"none"`).
    public var usageGaugePeriod: Int64 = 600

    public init() {}
}
