import Foundation
import Metrics
import Synchronization

/// The state of the Entra ID signing-key cache as metrics, through the process-wide swift-metrics backend
/// (docs/metrics.md): `coffer_azure_jwks_cache_total{result="hit"|"miss"}` per verification,
/// `coffer_azure_jwks_keys_cached` and `coffer_azure_jwks_last_refresh_timestamp_seconds` after each fetch (the
/// refresh's age is `time() - …` in PromQL; a gauge cannot age by itself between scrapes). Several Azure mounts
/// share these series; the gauges describe the latest fetch of any of them.
///
/// ```swift
/// let cacheMetrics = JWKSCacheMetrics()   // one per verifier
/// cacheMetrics.lookup(hit: keySet.current?.algorithms[kid] != nil)
/// JWKSCacheMetrics.refreshed(keys: keys.algorithms.count)
/// ```
final class JWKSCacheMetrics: Sendable {
    /// The hit and miss counters, each made on its first lookup: making one asks the metrics backend's registry
    /// (a lock and a label lookup), which every login would pay otherwise. Made lazily rather than at init so
    /// they bind to the backend in force when verification starts (the server bootstraps it before any mount).
    private let counters = Mutex<(hit: Counter?, miss: Counter?)>((nil, nil))

    init() {}

    func lookup(hit: Bool) {
        let counter = counters.withLock { counters in
            if let existing = hit ? counters.hit : counters.miss { return existing }
            let made = Counter(label: "coffer_azure_jwks_cache_total", dimensions: [("result", hit ? "hit" : "miss")])
            if hit { counters.hit = made } else { counters.miss = made }
            return made
        }
        counter.increment()
    }

    static func refreshed(keys: Int) {
        Gauge(label: "coffer_azure_jwks_keys_cached").record(keys)
        Gauge(label: "coffer_azure_jwks_last_refresh_timestamp_seconds").record(Date().timeIntervalSince1970)
    }
}
