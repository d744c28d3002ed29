import Foundation
import Metrics

/// The state of the Entra ID signing-key cache as metrics, through the process-wide swift-metrics backend
/// (docs/metrics.md): `coffer_azure_jwks_cache_total{result="hit"|"miss"}` per verification,
/// `coffer_azure_jwks_keys_cached` and `coffer_azure_jwks_last_refresh_timestamp_seconds` after each fetch (the
/// refresh's age is `time() - …` in PromQL; a gauge cannot age by itself between scrapes). Several Azure mounts
/// share these series; the gauges describe the latest fetch of any of them.
///
/// ```swift
/// JWKSCacheMetrics.lookup(hit: keySet.current?.algorithms[kid] != nil)
/// JWKSCacheMetrics.refreshed(keys: keys.algorithms.count)
/// ```
enum JWKSCacheMetrics {
    static func lookup(hit: Bool) {
        Counter(label: "coffer_azure_jwks_cache_total", dimensions: [("result", hit ? "hit" : "miss")]).increment()
    }

    static func refreshed(keys: Int) {
        Gauge(label: "coffer_azure_jwks_keys_cached").record(keys)
        Gauge(label: "coffer_azure_jwks_last_refresh_timestamp_seconds").record(Date().timeIntervalSince1970)
    }
}
