import Foundation

/// Times as Go writes and reads them: RFC 3339 in UTC (Vault's `time.Time` JSON form and its variants), Go's
/// `time.Time.String()` form that error texts carry, and parsing of RFC 3339 with any offset. Formatting is
/// done by hand on bytes: token lookups and KV reads format one or two times each, and neither
/// `DateFormatter` nor `String(format:)` is cheap on Linux.
///
/// ```swift
/// RFC3339.string(nanosecondsSinceEpoch: 1_732_838_400_123_456_789)  // "2024-11-29T00:00:00.123456789Z"
/// RFC3339.string(unixSeconds: 1.5)                                  // "1970-01-01T00:00:01.5Z"
/// RFC3339.string(Date(), fraction: .none)                           // "2024-11-29T00:00:00Z"
/// RFC3339.goString(unixSeconds: 0)                                  // "1970-01-01 00:00:00 +0000 UTC"
/// RFC3339.parse("2024-11-29T01:00:00.5+01:00")                      // Instant(seconds: 1732838400, nanoseconds: 500000000)
/// ```
public enum RFC3339 {
    /// How the fraction of a second is written.
    public enum Fraction: Sendable {
        /// Go's `time.RFC3339Nano`: nanoseconds with trailing zeros trimmed, none for a whole second.
        case nanoseconds
        /// Always three digits (what Foundation's ISO 8601 formatter writes with fractional seconds).
        case milliseconds
        /// Go's `time.RFC3339`: whole seconds, the fraction dropped.
        case none
    }

    /// A parsed instant: seconds since the Unix epoch and the nanoseconds into that second (0 up to 999,999,999).
    public struct Instant: Sendable, Hashable {
        public var seconds: Int64
        public var nanoseconds: Int64

        public init(seconds: Int64, nanoseconds: Int64) {
            self.seconds = seconds
            self.nanoseconds = nanoseconds
        }

        public var date: Date { Date(timeIntervalSince1970: Double(seconds) + Double(nanoseconds) / 1e9) }
    }

    /// Go's zero `time.Time` (0001-01-01 00:00:00 UTC) in Unix seconds, printed for a missing time.
    public static let goZeroTime: Int64 = -62_135_596_800

    public static func string(_ date: Date, fraction: Fraction = .nanoseconds) -> String {
        string(unixSeconds: date.timeIntervalSince1970, fraction: fraction)
    }

    /// Fractional Unix seconds, rounded to the nanosecond. Values past what an `Int64` of seconds holds
    /// (and NaN) are pinned to its ends rather than trapping.
    public static func string(unixSeconds: Double, fraction: Fraction = .nanoseconds) -> String {
        let floor = unixSeconds.rounded(.down)
        guard floor.isFinite, abs(floor) < 9.2e18 else {
            return string(seconds: unixSeconds > 0 ? .max : .min, nanoseconds: 0, fraction: fraction)
        }
        var whole = Int64(floor)
        var nanos = Int64(((unixSeconds - floor) * 1e9).rounded())
        if nanos >= 1_000_000_000, whole < .max {
            whole += 1
            nanos -= 1_000_000_000
        }
        return string(seconds: whole, nanoseconds: min(nanos, 999_999_999), fraction: fraction)
    }

    public static func string(nanosecondsSinceEpoch: Int64, fraction: Fraction = .nanoseconds) -> String {
        let (seconds, nanos) = floorDivide(nanosecondsSinceEpoch, 1_000_000_000)
        return string(seconds: seconds, nanoseconds: nanos, fraction: fraction)
    }

    /// `seconds` since the epoch plus `nanoseconds` (0 up to 999,999,999) into that second.
    public static func string(seconds: Int64, nanoseconds: Int64, fraction: Fraction = .nanoseconds) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        appendDate(seconds: seconds, dateTimeSeparator: UInt8(ascii: "T"), to: &bytes)
        switch fraction {
        case .nanoseconds where nanoseconds > 0:
            bytes.append(UInt8(ascii: "."))
            appendDigits(nanoseconds, width: 9, to: &bytes)
            while bytes.last == UInt8(ascii: "0") { bytes.removeLast() }
        case .milliseconds:
            bytes.append(UInt8(ascii: "."))
            appendDigits(nanoseconds / 1_000_000, width: 3, to: &bytes)
        case .nanoseconds, .none:
            break
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Go's `time.Time.String()` for a UTC time of whole seconds: `2006-01-02 15:04:05 +0000 UTC`.
    public static func goString(unixSeconds: Int64) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        appendDate(seconds: unixSeconds, dateTimeSeparator: UInt8(ascii: " "), to: &bytes)
        bytes.append(contentsOf: " +0000 UTC".utf8)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// `YYYY-MM-DD?hh:mm:ss` in UTC, `?` being `dateTimeSeparator`.
    private static func appendDate(seconds: Int64, dateTimeSeparator: UInt8, to bytes: inout [UInt8]) {
        let (days, secondOfDay) = floorDivide(seconds, 86_400)
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        if (0...9999).contains(year) {
            appendTwoDigits(year / 100, to: &bytes)
            appendTwoDigits(year % 100, to: &bytes)
        } else {
            appendDigits(year, width: 4, to: &bytes)
        }
        bytes.append(UInt8(ascii: "-"))
        appendTwoDigits(month, to: &bytes)
        bytes.append(UInt8(ascii: "-"))
        appendTwoDigits(day, to: &bytes)
        bytes.append(dateTimeSeparator)
        appendTwoDigits(secondOfDay / 3600, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(secondOfDay / 60 % 60, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        appendTwoDigits(secondOfDay % 60, to: &bytes)
    }

    /// `value` (0 to 99) as two digits: every field but the year and the fraction.
    @inline(__always)
    private static func appendTwoDigits(_ value: Int64, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value / 10))
        bytes.append(UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: value % 10))
    }

    /// Decimal digits of `value`, zero-padded to `width`; a negative value (a year before 1 AD) gets a `-`.
    /// Written in place, without an intermediate string.
    private static func appendDigits(_ value: Int64, width: Int, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        // At most 19 digits (2^63 < 10^19), so `bound` stays within UInt64.
        var count = 1
        var bound: UInt64 = 10
        while magnitude >= bound, count < 19 {
            bound *= 10
            count += 1
        }
        for _ in count..<max(width, count) { bytes.append(UInt8(ascii: "0")) }
        var divisor = bound / 10
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor))
            magnitude %= divisor
            divisor /= 10
        }
    }

    /// Quotient rounded down and a non-negative remainder, with no intermediate that could overflow at the ends
    /// of the `Int64` range.
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
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

    /// Day count since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's `days_from_civil`).
    static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
