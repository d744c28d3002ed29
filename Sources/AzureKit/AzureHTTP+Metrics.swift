import Metrics

extension AzureHTTP {
    /// One call to `service`, through the process-wide swift-metrics backend: counted by status (`error` when no
    /// HTTP answer came) and timed. Only the service and the status are labels (docs/metrics.md).
    static func record(_ service: AzureService, status: Int?, since started: ContinuousClock.Instant) {
        let statusLabel = status.map { (100...599).contains($0) ? String($0) : "invalid" } ?? "error"
        let prefix = "coffer_azure_" + service.rawValue
        Counter(label: prefix + "_requests_total", dimensions: [("status", statusLabel)]).increment()
        Metrics.Timer(label: prefix + "_request_duration_seconds", dimensions: [("status", statusLabel)])
            .record(duration: ContinuousClock.now - started)
    }
}
