import CofferConfig
import CofferCore
import Foundation
import Metrics
import Synchronization

extension CofferServer {
    /// The server's metrics as the `telemetry` stanza describes them, installed as the process-wide swift-metrics
    /// backend too, so libraries that use the global API (the Azure method's `coffer_azure_*`) report into the
    /// same registry `sys/metrics` renders. Called while the core is configured; swift-metrics allows one
    /// bootstrap per process (a second traps), so a second call keeps the first backend and returns it.
    static func bootstrapMetrics(_ config: ServerConfiguration) -> CofferMetrics {
        installedMetrics.withLock { installed in
            if let installed { return installed }
            let metrics = CofferMetrics(
                settings: metricsSettings(config.telemetry, hostname: ProcessInfo.processInfo.hostName))
            MetricsSystem.bootstrap(metrics.factory)
            installed = metrics
            return metrics
        }
    }

    private static let installedMetrics = Mutex<CofferMetrics?>(nil)

    /// Vault's rules (docs/metrics.md): Prometheus only with a `telemetry` stanza whose retention is not 0; gauge
    /// names carry the host name unless `disable_hostname`, with or without the stanza.
    static func metricsSettings(_ telemetry: TelemetryConfiguration?, hostname: String) -> MetricsSettings {
        var settings = MetricsSettings()
        settings.hostname = hostname
        guard let telemetry else { return settings }
        settings.prefix = telemetry.metricsPrefix
        if telemetry.disableHostname { settings.hostname = nil }
        settings.prometheusEnabled = telemetry.prometheusRetentionTime > 0
        settings.usageGaugePeriod = telemetry.usageGaugePeriod
        return settings
    }
}
