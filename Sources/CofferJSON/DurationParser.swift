import Foundation

/// Parses Vault's duration spellings into whole seconds: integer seconds (`90`, `"90"`) or Go
/// duration strings (`"90s"`, `"1h30m"`, `"768h"`, `"-1s"`), plus a `d` suffix for days.
///
/// ```swift
/// try DurationParser.seconds("1h30m")   // 5400
/// try DurationParser.seconds(.int(60))  // 60
/// DurationParser.goString(10800)        // "3h0m0s"
/// ```
///
/// Every result lies within ``maxSeconds`` of zero, the range of Go's `time.Duration`, so callers may add a
/// parsed duration to a Unix time or multiply it into nanoseconds without overflowing. Anything outside
/// that range (`1e19`, `"9999999999999999h"`, NaN) is an ``InvalidDuration``, never a trap.
public enum DurationParser {
    /// The largest magnitude accepted, in seconds: Go's `time.Duration` holds ±2^63 ns ≈ 292 years.
    public static let maxSeconds: Int64 = Int64.max / 1_000_000_000

    public struct InvalidDuration: Error, Sendable, CustomStringConvertible {
        public var input: String
        public init(input: String) { self.input = input }
        public var description: String { "time: invalid duration \"\(input)\"" }
    }

    public static func seconds(_ value: JSONValue) throws -> Int64 {
        switch value {
        case .null: return 0
        case .int(let v):
            guard v >= -maxSeconds, v <= maxSeconds else { throw InvalidDuration(input: "\(v)") }
            return v
        case .double(let v):
            guard v.isFinite, abs(v) <= Double(maxSeconds) else { throw InvalidDuration(input: "\(v)") }
            return Int64(v)
        case .string(let s): return try seconds(s)
        case .bool, .array, .object: throw InvalidDuration(input: "\(value)")
        }
    }

    public static func seconds(_ text: String) throws -> Int64 {
        let trimmed = text.trimmedWhitespace
        if trimmed.isEmpty { return 0 }
        if let integer = Int64(trimmed) {
            guard integer >= -maxSeconds, integer <= maxSeconds else { throw InvalidDuration(input: text) }
            return integer
        }
        var rest = Substring(trimmed).utf8[...]
        var negative = false
        if rest.first == UInt8(ascii: "-") || rest.first == UInt8(ascii: "+") {
            negative = rest.first == UInt8(ascii: "-")
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { throw InvalidDuration(input: text) }
        // Whole units are summed in integers, as Go does, so every duration in range reads back exactly; only a
        // fraction goes through floating point.
        var totalNanos: UInt64 = 0
        while !rest.isEmpty {
            guard let (nanos, remainder) = term(rest),
                case let (sum, overflow) = totalNanos.addingReportingOverflow(nanos),
                !overflow, sum <= 1 << 63
            else { throw InvalidDuration(input: text) }
            totalNanos = sum
            rest = remainder
        }
        if !negative, totalNanos == 1 << 63 { throw InvalidDuration(input: text) }
        let seconds = Int64(totalNanos / 1_000_000_000)
        return negative ? -seconds : seconds
    }

    /// One `<number><unit>` term in nanoseconds, and what follows it; nil when malformed or beyond 2^64 ns.
    private static func term(_ text: Substring.UTF8View.SubSequence) -> (UInt64, Substring.UTF8View.SubSequence)? {
        var rest = text
        func digits() -> (value: UInt64, count: Int, overflow: Bool) {
            var value: UInt64 = 0
            var count = 0
            var overflow = false
            while let byte = rest.first, byte >= 0x30, byte <= 0x39 {
                let (times, o1) = value.multipliedReportingOverflow(by: 10)
                let (plus, o2) = times.addingReportingOverflow(UInt64(byte - 0x30))
                overflow = overflow || o1 || o2
                value = plus
                count += 1
                rest = rest.dropFirst()
            }
            return (value, count, overflow)
        }
        let whole = digits()
        var fraction: (value: UInt64, count: Int, overflow: Bool) = (0, 0, false)
        if rest.first == UInt8(ascii: ".") {
            rest = rest.dropFirst()
            fraction = digits()
        }
        guard whole.count + fraction.count > 0, !whole.overflow else { return nil }
        let unitEnd = rest.firstIndex { ($0 >= 0x30 && $0 <= 0x39) || $0 == UInt8(ascii: ".") } ?? rest.endIndex
        guard let scale = unitNanos[String(decoding: rest[..<unitEnd], as: UTF8.self)] else { return nil }
        rest = rest[unitEnd...]
        let (scaled, overflow) = whole.value.multipliedReportingOverflow(by: scale)
        guard !overflow else { return nil }
        guard fraction.count > 0, !fraction.overflow else { return (scaled, rest) }
        let part = Double(fraction.value) * (Double(scale) / pow(10, Double(fraction.count)))
        guard part.isFinite, part < 1.8e19 else { return nil }
        let (sum, overflowed) = scaled.addingReportingOverflow(UInt64(part))
        return overflowed ? nil : (sum, rest)
    }

    private static let unitNanos: [String: UInt64] = [
        "ns": 1, "us": 1_000, "µs": 1_000, "μs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
        "m": 60_000_000_000, "h": 3_600_000_000_000, "d": 86_400_000_000_000,
    ]

    /// Go's `time.Duration.String()` for whole seconds: `0s`, `45s`, `1m30s`, `3h0m0s`.
    public static func goString(_ seconds: Int64) -> String {
        if seconds == 0 { return "0s" }
        let sign = seconds < 0 ? "-" : ""
        let s = seconds.magnitude
        let hours = s / 3600
        let minutes = (s % 3600) / 60
        let secs = s % 60
        if hours > 0 { return "\(sign)\(hours)h\(minutes)m\(secs)s" }
        if minutes > 0 { return "\(sign)\(minutes)m\(secs)s" }
        return "\(sign)\(secs)s"
    }

    /// Go's duration string with trailing zero units trimmed, as Vault prints capped TTLs: `768h`, `1h30m`.
    public static func shortGoString(_ seconds: Int64) -> String {
        var text = goString(seconds)
        if text.hasSuffix("m0s") { text.removeLast(2) }
        if text.hasSuffix("h0m") { text.removeLast(2) }
        return text
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    public var trimmedWhitespace: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" || f == "\n" || f == "\r" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" || l == "\n" || l == "\r" { s = s.dropLast() }
        return String(s)
    }
}
