import CofferJSON
import Foundation

/// Coffer's RFC 3339 formatter (Go's layout, nanoseconds, trailing zeros trimmed) beside Foundation's
/// `ISO8601DateFormatter`, which the hand-written one replaced on the token lookup path.
///
/// ```swift
/// let pairs = TimestampCases.pairs()
/// ```
enum TimestampCases {
    static func pairs() -> [BenchmarkPair] {
        let dates = (0..<64).map { Date(timeIntervalSince1970: 1_733_486_400.123456 + Double($0) * 86_399.5) }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        var next = 0
        var nextFoundation = 0
        return [
            BenchmarkPair(
                name: "format an RFC 3339 timestamp",
                ours: .init("RFC3339.string") {
                    next = (next + 1) & 63
                    return RFC3339.string(dates[next]).utf8.count
                },
                baseline: .init("ISO8601DateFormatter (shared)") {
                    nextFoundation = (nextFoundation + 1) & 63
                    return formatter.string(from: dates[nextFoundation]).utf8.count
                },
                // Coffer prints nanoseconds, Foundation milliseconds: the lengths differ by design.
                agree: false)
        ]
    }
}
