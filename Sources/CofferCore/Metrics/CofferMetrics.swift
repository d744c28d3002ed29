import CoreMetrics
import Foundation
import Metrics
import Prometheus
import Synchronization

/// The server's metrics under Vault's names (docs/metrics.md), recorded through swift-metrics into both a
/// Prometheus registry (the `prometheus` format of `sys/metrics`) and an ``InMemoryMetricsSink`` (Vault's JSON
/// format). Each core holds one, so tests measure their own core; the server bootstraps the global
/// `MetricsSystem` with ``factory`` so libraries that use the global API (the Azure method) land in the same place.
/// Metric names follow go-metrics keys (`vault.core.handle_request`); the Prometheus side flattens `.` to `_`.
///
/// ```swift
/// var configuration = CoreConfiguration()
/// configuration.metrics = CofferMetrics(settings: settings)
/// MetricsSystem.bootstrap(configuration.metrics.factory)   // the server only, once
/// configuration.metrics.auditLogRequest(milliseconds: 0.4, failed: false)   // an audit device's hook
/// ```
public final class CofferMetrics: Sendable {
    public let settings: MetricsSettings
    public let registry: PrometheusCollectorRegistry
    public let memory: InMemoryMetricsSink
    /// Both sinks at once; what every metric here is created with.
    public let factory: any MetricsFactory
    /// When the token and entity gauges were last counted (`Core.refreshStateGauges()`).
    let usageRefreshedAt = Mutex<Double?>(nil)
    /// The labelled gauge series set by the last usage refresh, so series that disappeared are set to 0.
    let usageSeries = Mutex<Set<UsageSeries>>([])

    /// `vault.token.creation` counters by their label values (making one costs a registry lookup per login).
    let tokenCreationCounters = Mutex<[TokenCreationSeries: Metrics.Counter]>([:])
    /// Route timers by operation and mount (``routeHandled(operation:mountPoint:milliseconds:)``).
    let routeRecorders = Mutex<[RouteSeries: Recorder]>([:])

    /// The label values of one `vault.token.creation` series; a dictionary key, so a login's lookup hashes the
    /// values it already has instead of joining them into a new string.
    struct TokenCreationSeries: Hashable {
        var authMethod: String
        var mountPoint: String
        var creationTTL: String
        var tokenType: String
    }

    /// One `vault.route.<operation>.<mount>` timer's parts, before the mount path's `/` become `-`.
    struct RouteSeries: Hashable {
        var operation: String
        var mountPoint: String
    }
    let handleRequest: Recorder
    let handleLoginRequest: Recorder
    let checkToken: Recorder
    /// Per-request audit timers, made once (a lookup per request would cost more than the measurement).
    let auditRequest: Recorder
    let auditResponse: Recorder

    /// Buckets (milliseconds) of Vault's timers, which Vault reports as summaries in milliseconds; swift-prometheus
    /// has no summaries, so they are histograms with these buckets and the same `_sum`/`_count` (docs/metrics.md).
    public static let millisecondBuckets: [Double] = [
        0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
    ]

    /// `clock` (Unix seconds) stamps the JSON format's `Timestamp` and its rates.
    public init(
        settings: MetricsSettings = MetricsSettings(), clock: @escaping @Sendable () -> Double = CofferMetrics.wallClock
    ) {
        self.settings = settings
        let registry = PrometheusCollectorRegistry()
        var prometheus = PrometheusMetricsFactory(registry: registry)
        prometheus.defaultValueHistogramBuckets = Self.millisecondBuckets
        prometheus.nameAndLabelSanitizer = { name, labels in (Self.prometheusName(name), labels) }
        let memory = InMemoryMetricsSink(clock: clock)
        let factory = MultiplexMetricsHandler(factories: [prometheus, memory])
        self.registry = registry
        self.memory = memory
        self.factory = factory
        let prefix = settings.prefix
        handleRequest = Recorder(label: prefix + ".core.handle_request", factory: factory)
        handleLoginRequest = Recorder(label: prefix + ".core.handle_login_request", factory: factory)
        checkToken = Recorder(label: prefix + ".core.check_token", factory: factory)
        auditRequest = Recorder(label: prefix + ".audit.log_request", factory: factory)
        auditResponse = Recorder(label: prefix + ".audit.log_response", factory: factory)
    }

    public static let wallClock: @Sendable () -> Double = { Date().timeIntervalSince1970 }

    /// go-metrics' flattening for Prometheus: every character outside `[A-Za-z0-9_:]` becomes `_`.
    static func prometheusName(_ name: String) -> String {
        String(
            String.UnicodeScalarView(
                name.unicodeScalars.map { scalar in
                    switch scalar {
                    case "a"..."z", "A"..."Z", "0"..."9", "_", ":": scalar
                    default: "_"
                    }
                }))
    }

    /// A counter or timer key: `<prefix>.<suffix>`.
    func key(_ suffix: String) -> String { settings.prefix + "." + suffix }

    /// A gauge key: Vault inserts the host name after the prefix unless `disable_hostname` is set.
    func gaugeKey(_ suffix: String) -> String {
        guard let host = settings.hostname, !host.isEmpty else { return key(suffix) }
        return settings.prefix + "." + host + "." + suffix
    }

    /// Milliseconds since `start`, as go-metrics' `MeasureSince` reports them.
    public static func milliseconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }

    // MARK: request pipeline

    /// `vault.core.handle_request`, or `vault.core.handle_login_request` for a login (Vault times each request as
    /// one or the other).
    public func requestHandled(login: Bool, milliseconds: Double) {
        (login ? handleLoginRequest : handleRequest).record(milliseconds)
    }

    /// `vault.route.<operation>.<mount>` in milliseconds, the mount path with `/` as `-` as Vault names it
    /// (`vault.route.read.secret-`). One timer per operation and mount, kept once made.
    public func routeHandled(operation: String, mountPoint: String, milliseconds: Double) {
        // Looked up by the parts as they come: the label is built only for a route's first request.
        let series = RouteSeries(operation: operation, mountPoint: mountPoint)
        let recorder = routeRecorders.withLock { recorders in
            if let existing = recorders[series] { return existing }
            let made = Recorder(
                label: key("route." + operation + "." + mountPoint.replacing("/", with: "-")), factory: factory)
            recorders[series] = made
            return made
        }
        recorder.record(milliseconds)
    }

    /// `vault.core.check_token`: resolving and checking the caller's token.
    public func tokenChecked(milliseconds: Double) { checkToken.record(milliseconds) }

    /// `vault.token.creation`: one per token minted, labelled as Vault labels it (no token, accessor or role).
    public func tokenCreated(authMethod: String, mountPoint: String, ttlSeconds: Int64, tokenType: String) {
        let bucket = TTLBucket.label(seconds: ttlSeconds)
        let series = TokenCreationSeries(
            authMethod: authMethod, mountPoint: mountPoint, creationTTL: bucket, tokenType: tokenType)
        let counter = tokenCreationCounters.withLock { counters in
            if let existing = counters[series] { return existing }
            let made = Metrics.Counter(
                label: key("token.creation"),
                dimensions: [
                    ("auth_method", authMethod), ("mount_point", mountPoint), ("creation_ttl", bucket),
                    ("token_type", tokenType), ("namespace", "root"),
                ], factory: factory)
            counters[series] = made
            return made
        }
        counter.increment()
    }

    // MARK: seal

    /// `vault.core.seal` / `vault.core.unseal`: one per completed seal or unseal.
    public func sealChanged(sealed: Bool) {
        Counter(label: key(sealed ? "core.seal" : "core.unseal"), factory: factory).increment()
    }

    /// `vault.core.unsealed` and `vault.core.active` (an unsealed HA standby is unsealed but not active).
    func setSealGauges(unsealed: Bool, active: Bool) {
        Gauge(label: gaugeKey("core.unsealed"), factory: factory).record(unsealed ? 1 : 0)
        Gauge(label: gaugeKey("core.active"), factory: factory).record(active ? 1 : 0)
    }

    /// `vault.expire.num_leases`: leases (expiring tokens) the expiration manager tracks.
    func setLeaseCount(_ count: Int) {
        Gauge(label: gaugeKey("expire.num_leases"), factory: factory).record(Double(count))
    }

    // MARK: audit (called by audit devices)

    /// `vault.audit.log_request` (ms across all devices) and `vault.audit.log_request_failure` when no device
    /// could record the request.
    public func auditLogRequest(milliseconds: Double, failed: Bool) {
        auditRequest.record(milliseconds)
        if failed { Counter(label: key("audit.log_request_failure"), factory: factory).increment() }
    }

    /// `vault.audit.log_response` and `vault.audit.log_response_failure`.
    public func auditLogResponse(milliseconds: Double, failed: Bool) {
        auditResponse.record(milliseconds)
        if failed { Counter(label: key("audit.log_response_failure"), factory: factory).increment() }
    }

    // MARK: policies

    /// `vault.policy.<operation>` in milliseconds (`get_policy`, `set_policy`, `list_policies`, `delete_policy`).
    public func policyOperation(_ operation: PolicyOperation, milliseconds: Double) {
        Recorder(label: key("policy." + operation.rawValue), factory: factory).record(milliseconds)
    }

    /// The policy store operations Vault times.
    public enum PolicyOperation: String, Sendable {
        case getPolicy = "get_policy"
        case setPolicy = "set_policy"
        case listPolicies = "list_policies"
        case deletePolicy = "delete_policy"
    }
}
