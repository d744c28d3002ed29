import CofferJSON

/// One series' running aggregate, as go-metrics' in-memory sink keeps it for counters and samples: how many
/// values, their sum, extremes and sum of squares (for the standard deviation Vault's JSON format reports).
///
/// ```swift
/// var aggregate = MetricAggregate()
/// aggregate.ingest(3)
/// aggregate.ingest(5)
/// aggregate.mean    // 4
/// ```
public struct MetricAggregate: Sendable, Equatable {
    public private(set) var count: Int64 = 0
    public private(set) var sum: Double = 0
    public private(set) var sumOfSquares: Double = 0
    public private(set) var min: Double = 0
    public private(set) var max: Double = 0

    public init() {}

    public mutating func ingest(_ value: Double) {
        guard value.isFinite else { return }
        if count == 0 || value < min { min = value }
        if count == 0 || value > max { max = value }
        count &+= 1
        sum += value
        sumOfSquares += value * value
    }

    public var mean: Double { count == 0 ? 0 : sum / Double(count) }

    /// go-metrics' sample standard deviation (0 below two values).
    public var standardDeviation: Double {
        guard count > 1 else { return 0 }
        let n = Double(count)
        let variance = (sumOfSquares - sum * sum / n) / (n - 1)
        return variance > 0 ? variance.squareRoot() : 0
    }

    /// The go-metrics JSON object (`Name`, `Count`, `Rate`, `Sum`, `Min`, `Max`, `Mean`, `Stddev`, `Labels`);
    /// `Rate` is the sum per second over `seconds`.
    func json(name: String, labels: [String: JSONValue], seconds: Double) -> JSONValue {
        .object([
            "Name": .string(name), "Count": .int(count), "Rate": .double(seconds > 0 ? sum / seconds : sum),
            "Sum": .double(sum), "Min": .double(min), "Max": .double(max), "Mean": .double(mean),
            "Stddev": .double(standardDeviation), "Labels": .object(labels),
        ])
    }
}
