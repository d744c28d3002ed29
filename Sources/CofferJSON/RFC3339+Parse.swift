import Foundation

extension RFC3339 {
    /// Reads `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)` as Go's `time.Parse(time.RFC3339, …)` does: a fraction
    /// of any length is accepted (digits past the ninth are dropped), the offset is applied, and fields out of
    /// range (month 13, February 30, second 60) make it nil. `t` and `z` may be lower case, as RFC 3339 allows.
    ///
    /// ```swift
    /// RFC3339.parse("1970-01-01T01:00:00+01:00")   // Instant(seconds: 0, nanoseconds: 0)
    /// RFC3339.parse("2024-02-30T00:00:00Z")        // nil
    /// ```
    public static func parse(_ text: some StringProtocol) -> Instant? {
        var reader = TimeReader(bytes: Array(text.utf8))
        return reader.instant()
    }

    /// ``parse(_:)`` as a `Date` (whose `Double` keeps about a microsecond of the fraction today).
    public static func date(_ text: some StringProtocol) -> Date? { parse(text)?.date }
}

/// The cursor ``RFC3339/parse(_:)`` reads with.
private struct TimeReader {
    let bytes: [UInt8]
    var index = 0

    mutating func instant() -> RFC3339.Instant? {
        guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2),
            skip("T") || skip("t"), let hour = number(2), skip(":"), let minute = number(2), skip(":"),
            let second = number(2)
        else { return nil }
        let nanoseconds = fraction()
        guard let offset = offsetSeconds(), index == bytes.count else { return nil }
        guard (1...12).contains(month), (1...Self.daysIn(month: month, year: year)).contains(day), hour < 24,
            minute < 60, second < 60, let nanoseconds
        else { return nil }
        let days = RFC3339.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return RFC3339.Instant(seconds: seconds, nanoseconds: nanoseconds)
    }

    /// `width` decimal digits.
    private mutating func number(_ width: Int) -> Int64? {
        guard index + width <= bytes.count else { return nil }
        var value: Int64 = 0
        for byte in bytes[index..<index + width] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        index += width
        return value
    }

    private mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(ascii: character) else { return false }
        index += 1
        return true
    }

    /// Nanoseconds of an optional `.digits`; 0 when absent, nil for a `.` without digits.
    private mutating func fraction() -> Int64? {
        guard skip(".") else { return 0 }
        var value: Int64 = 0
        var count = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            if count < 9 { value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
            count += 1
            index += 1
        }
        guard count > 0 else { return nil }
        for _ in min(count, 9)..<9 { value *= 10 }
        return value
    }

    /// The zone's offset east of UTC in seconds: `Z`, or `+hh:mm` / `-hh:mm`.
    private mutating func offsetSeconds() -> Int64? {
        if skip("Z") || skip("z") { return 0 }
        let sign: Int64
        if skip("+") {
            sign = 1
        } else if skip("-") {
            sign = -1
        } else {
            return nil
        }
        guard let hours = number(2), skip(":"), let minutes = number(2), hours < 24, minutes < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
