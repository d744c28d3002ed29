import CofferJSON
import Foundation

/// A wall-clock instant with nanosecond precision, rendered the way Vault renders KV times
/// (Go's `time.RFC3339Nano` in UTC: fraction trimmed of trailing zeros, `Z` suffix).
///
/// ```swift
/// let created = KVTimestamp.now()
/// created.rfc3339                           // "2024-11-29T00:00:00.123456789Z"
/// created.adding(seconds: 3600) > created   // true
/// ```
struct KVTimestamp: Sendable, Hashable, Comparable, Codable {
    /// Nanoseconds since the Unix epoch.
    var nanoseconds: Int64

    init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    static func now() -> KVTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return KVTimestamp(nanoseconds: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    /// `seconds` later (earlier when negative), pinned to the range Int64 nanoseconds can hold (1677–2262).
    /// A `delete_version_after` may be as long as Go's duration (about 292 years), which added to now passes
    /// that range; Vault keeps such a date exactly, here it becomes the last representable instant, which is
    /// just as far out of reach.
    func adding(seconds: Int64) -> KVTimestamp {
        let (delta, productOverflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (sum, sumOverflow) = nanoseconds.addingReportingOverflow(delta)
        guard !productOverflow, !sumOverflow else { return KVTimestamp(nanoseconds: seconds < 0 ? .min : .max) }
        return KVTimestamp(nanoseconds: sum)
    }

    static func < (lhs: KVTimestamp, rhs: KVTimestamp) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    init(from decoder: any Decoder) throws {
        nanoseconds = try decoder.singleValueContainer().decode(Int64.self)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(nanoseconds)
    }

    /// Go's `time.RFC3339Nano` in UTC.
    var rfc3339: String { RFC3339.string(nanosecondsSinceEpoch: nanoseconds) }
}

/// Where the backend reads the current time; tests substitute a controllable clock.
typealias KVClock = @Sendable () -> KVTimestamp
