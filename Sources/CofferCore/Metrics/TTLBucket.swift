/// Vault's `creation_ttl` label of `vault.token.creation` and `vault.token.count.by_ttl`: the smallest bucket
/// boundary at or above the TTL, `+Inf` for a token that never expires or outlives 30 days. Bounded, so the label
/// never carries the exact TTL.
///
/// ```swift
/// TTLBucket.label(seconds: 3600)   // "1h"
/// TTLBucket.label(seconds: 0)      // "+Inf"
/// ```
public enum TTLBucket {
    static let boundaries: [(seconds: Int64, label: String)] = [
        (60, "1m"), (600, "10m"), (1200, "20m"), (3600, "1h"), (7200, "2h"), (86_400, "1d"), (172_800, "2d"),
        (604_800, "7d"), (2_592_000, "30d"),
    ]

    public static func label(seconds: Int64) -> String {
        guard seconds > 0 else { return "+Inf" }
        return boundaries.first { seconds <= $0.seconds }?.label ?? "+Inf"
    }
}
