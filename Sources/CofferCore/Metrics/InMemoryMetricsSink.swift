import CofferJSON
import CoreMetrics
import Foundation
import Synchronization

/// A swift-metrics backend that keeps what go-metrics' in-memory sink keeps, so `sys/metrics` can answer in
/// Vault's JSON format from the same measurements the Prometheus registry receives: counters and samples
/// (recorders and timers, timers in milliseconds) as running aggregates, gauges as their last value.
/// Aggregates run from the sink's start rather than over go-metrics' 10-second intervals (docs/metrics.md).
///
/// ```swift
/// let sink = InMemoryMetricsSink(clock: { Date().timeIntervalSince1970 })
/// Counter(label: "vault.core.unseal", factory: sink).increment()
/// let document = sink.snapshot()   // {"Timestamp":…,"Gauges":[…],"Counters":[…],"Samples":[…],"Points":[]}
/// ```
public final class InMemoryMetricsSink: MetricsFactory {
    /// A series: its name and its labels in the order they were given.
    struct SeriesKey: Hashable, Sendable {
        var name: String
        var labels: [String]

        init(_ name: String, _ dimensions: [(String, String)]) {
            self.name = name
            self.labels = dimensions.flatMap { [$0.0, $0.1] }
        }

        var labelObject: [String: JSONValue] {
            var object: [String: JSONValue] = [:]
            var index = 0
            while index + 1 < labels.count {
                object[labels[index]] = .string(labels[index + 1])
                index += 2
            }
            return object
        }
    }

    struct State {
        var counters: [SeriesKey: MetricAggregate] = [:]
        var samples: [SeriesKey: MetricAggregate] = [:]
        var gauges: [SeriesKey: Double] = [:]
    }

    let state = Mutex(State())
    let clock: @Sendable () -> Double
    let startedAt: Double

    public init(clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.clock = clock
        self.startedAt = clock()
    }

    func count(_ key: SeriesKey, _ value: Double) {
        state.withLock { $0.counters[key, default: .init()].ingest(value) }
    }
    func sample(_ key: SeriesKey, _ value: Double) {
        state.withLock { $0.samples[key, default: .init()].ingest(value) }
    }
    func setGauge(_ key: SeriesKey, _ change: (Double) -> Double) {
        state.withLock { $0.gauges[key] = change($0.gauges[key] ?? 0) }
    }

    /// The current value of a gauge, for tests and the refresh logic.
    public func gauge(_ name: String, labels: [(String, String)] = []) -> Double? {
        state.withLock { $0.gauges[SeriesKey(name, labels)] }
    }

    /// The aggregate of a counter series.
    public func counter(_ name: String, labels: [(String, String)] = []) -> MetricAggregate? {
        state.withLock { $0.counters[SeriesKey(name, labels)] }
    }

    /// The aggregate of a sample series (recorders, timers).
    public func samples(_ name: String, labels: [(String, String)] = []) -> MetricAggregate? {
        state.withLock { $0.samples[SeriesKey(name, labels)] }
    }

    // MARK: MetricsFactory

    public func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        Handler(sink: self, key: SeriesKey(label, dimensions), kind: .counter)
    }

    public func makeFloatingPointCounter(label: String, dimensions: [(String, String)])
        -> any FloatingPointCounterHandler
    {
        Handler(sink: self, key: SeriesKey(label, dimensions), kind: .counter)
    }

    public func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        Handler(sink: self, key: SeriesKey(label, dimensions), kind: aggregate ? .sample : .gauge)
    }

    public func makeMeter(label: String, dimensions: [(String, String)]) -> any MeterHandler {
        Handler(sink: self, key: SeriesKey(label, dimensions), kind: .gauge)
    }

    public func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler {
        Handler(sink: self, key: SeriesKey(label, dimensions), kind: .sample)
    }

    // A series outlives its handle here, as in go-metrics: dropping a handle does not forget what it measured.
    public func destroyCounter(_ handler: any CounterHandler) {}
    public func destroyFloatingPointCounter(_ handler: any FloatingPointCounterHandler) {}
    public func destroyRecorder(_ handler: any RecorderHandler) {}
    public func destroyMeter(_ handler: any MeterHandler) {}
    public func destroyTimer(_ handler: any TimerHandler) {}
}
