import CofferJSON
import Foundation

extension InMemoryMetricsSink {
    /// Vault's JSON format of `sys/metrics` (go-metrics' `DisplayMetrics`): series sorted by name, then labels.
    public func snapshot() -> JSONValue {
        let now = clock()
        let elapsed = Swift.max(now - startedAt, 1)
        let state = self.state.withLock { $0 }
        let gauges = state.gauges.sorted { Self.order($0.key, $1.key) }.map { key, value -> JSONValue in
            .object(["Name": .string(key.name), "Value": .double(value), "Labels": .object(key.labelObject)])
        }
        let counters = state.counters.sorted { Self.order($0.key, $1.key) }.map {
            $0.value.json(name: $0.key.name, labels: $0.key.labelObject, seconds: elapsed)
        }
        let samples = state.samples.sorted { Self.order($0.key, $1.key) }.map {
            $0.value.json(name: $0.key.name, labels: $0.key.labelObject, seconds: elapsed)
        }
        return .object([
            "Timestamp": .string(Self.goTimestamp(now)), "Gauges": .array(gauges), "Points": .array([]),
            "Counters": .array(counters), "Samples": .array(samples),
        ])
    }

    static func order(_ a: SeriesKey, _ b: SeriesKey) -> Bool {
        a.name != b.name ? a.name < b.name : a.labels.lexicographicallyPrecedes(b.labels)
    }

    /// Go's `time.Time.String()` of the instant rounded to the second, in UTC: `2026-01-02 15:04:05 +0000 UTC`.
    static func goTimestamp(_ seconds: Double) -> String {
        let rounded = seconds.isFinite ? seconds.rounded() : 0
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: rounded))
        func two(_ value: Int?) -> String {
            let value = value ?? 0
            return value < 10 ? "0\(value)" : "\(value)"
        }
        let date = "\(parts.year ?? 1970)-\(two(parts.month))-\(two(parts.day))"
        return "\(date) \(two(parts.hour)):\(two(parts.minute)):\(two(parts.second)) +0000 UTC"
    }
}
