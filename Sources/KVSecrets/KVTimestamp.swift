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

    /// Go's `time.RFC3339Nano` in UTC, built as bytes: every KV read formats one or two of these.
    var rfc3339: String {
        let (seconds, fraction) = Self.floorDivide(nanoseconds, 1_000_000_000)
        let (days, secondOfDay) = Self.floorDivide(seconds, 86_400)
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        func append(_ value: Int64, _ width: Int, then separator: UInt8?) {
            let digits = String(value).utf8
            for _ in digits.count..<max(width, digits.count) { bytes.append(UInt8(ascii: "0")) }
            bytes.append(contentsOf: digits)
            if let separator { bytes.append(separator) }
        }
        append(year, 4, then: UInt8(ascii: "-"))
        append(month, 2, then: UInt8(ascii: "-"))
        append(day, 2, then: UInt8(ascii: "T"))
        append(secondOfDay / 3600, 2, then: UInt8(ascii: ":"))
        append(secondOfDay / 60 % 60, 2, then: UInt8(ascii: ":"))
        append(secondOfDay % 60, 2, then: nil)
        if fraction > 0 {
            bytes.append(UInt8(ascii: "."))
            append(fraction, 9, then: nil)
            while bytes.last == UInt8(ascii: "0") { bytes.removeLast() }
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Quotient rounded down and a non-negative remainder, without an intermediate that could overflow at the
    /// ends of the range (``adding(seconds:)`` may pin a time there).
    private static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }

    /// Proleptic Gregorian date for a day count since 1970-01-01 (Howard Hinnant's `civil_from_days`).
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

/// Where the backend reads the current time; tests substitute a controllable clock.
typealias KVClock = @Sendable () -> KVTimestamp
