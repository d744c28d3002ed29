import CoreMetrics

extension InMemoryMetricsSink {
    /// One handle onto a series of the sink; every swift-metrics kind maps onto a counter, a sample or a gauge.
    ///
    /// ```swift
    /// let handler = sink.makeTimer(label: "vault.core.check_token", dimensions: [])
    /// handler.recordNanoseconds(1_500_000)   // a 1.5 ms sample
    /// ```
    final class Handler: CounterHandler, FloatingPointCounterHandler, RecorderHandler, MeterHandler, TimerHandler {
        enum Kind {
            case counter
            case sample
            case gauge
        }

        let sink: InMemoryMetricsSink
        let key: SeriesKey
        let kind: Kind

        init(sink: InMemoryMetricsSink, key: SeriesKey, kind: Kind) {
            self.sink = sink
            self.key = key
            self.kind = kind
        }

        func increment(by amount: Int64) { increment(by: Double(amount)) }

        func increment(by amount: Double) {
            switch kind {
            case .counter: sink.count(key, amount)
            case .sample: sink.sample(key, amount)
            case .gauge: sink.setGauge(key) { $0 + amount }
            }
        }

        func decrement(by amount: Double) { sink.setGauge(key) { $0 - amount } }

        func reset() { sink.state.withLock { $0.counters[key] = nil } }

        func record(_ value: Int64) { record(Double(value)) }

        func record(_ value: Double) {
            switch kind {
            case .gauge: set(value)
            case .counter, .sample: sink.sample(key, value)
            }
        }

        func set(_ value: Int64) { set(Double(value)) }
        func set(_ value: Double) { sink.setGauge(key) { _ in value } }

        /// go-metrics timers are in milliseconds.
        func recordNanoseconds(_ duration: Int64) { sink.sample(key, Double(duration) / 1_000_000) }
    }
}
