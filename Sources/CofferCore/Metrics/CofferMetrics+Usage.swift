import Metrics

extension CofferMetrics {
    /// One labelled usage gauge series (`vault.token.count.by_policy{policy="dev"}`).
    struct UsageSeries: Hashable, Sendable {
        var key: String
        var label: String
        var value: String
    }

    /// Counts the token and entity gauges are built from (`Core.refreshStateGauges()`).
    struct UsageCounts: Sendable {
        var tokens = 0
        var byPolicy: [String: Int] = [:]
        var byAuth: [String: Int] = [:]
        var byTTL: [String: Int] = [:]
        var entities = 0
    }

    /// Vault's `maximum_gauge_cardinality`: a labelled gauge keeps at most this many series.
    static let maximumGaugeCardinality = 500

    /// Whether a usage refresh is due at `now`; claims it when it is, so concurrent scrapes count once.
    func claimUsageRefresh(now: Double) -> Bool {
        let period = Double(settings.usageGaugePeriod)
        guard period > 0 else { return false }
        return usageRefreshedAt.withLock { last in
            if let last, now - last < period, now >= last { return false }
            last = now
            return true
        }
    }

    /// `vault.token.count`, `.count.by_policy`, `.count.by_auth`, `.count.by_ttl` and `vault.identity.num_entities`;
    /// a series seen before and absent now drops to 0 rather than keeping a stale count.
    func setUsageGauges(_ counts: UsageCounts) {
        Gauge(label: gaugeKey("token.count"), factory: factory).record(Double(counts.tokens))
        Gauge(label: gaugeKey("identity.num_entities"), factory: factory).record(Double(counts.entities))
        var current: [UsageSeries: Int] = [:]
        for (suffix, label, values) in [
            ("token.count.by_policy", "policy", counts.byPolicy), ("token.count.by_auth", "auth_method", counts.byAuth),
            ("token.count.by_ttl", "creation_ttl", counts.byTTL),
        ] {
            let largest = values.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
            for (value, count) in largest.prefix(Self.maximumGaugeCardinality) {
                current[UsageSeries(key: gaugeKey(suffix), label: label, value: value)] = count
            }
        }
        let stale = usageSeries.withLock { previous in
            let gone = previous.subtracting(current.keys)
            previous = Set(current.keys)
            return gone
        }
        for series in stale { record(series, 0) }
        for (series, count) in current { record(series, count) }
    }

    private func record(_ series: UsageSeries, _ count: Int) {
        Gauge(label: series.key, dimensions: [(series.label, series.value)], factory: factory).record(Double(count))
    }
}
