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
        var rest = Substring(trimmed)
        var negative = false
        if rest.first == "-" || rest.first == "+" {
            negative = rest.first == "-"
            rest = rest.dropFirst()
        }
        guard !rest.isEmpty else { throw InvalidDuration(input: text) }
        var totalNanos: Double = 0
        while !rest.isEmpty {
            let numberEnd = rest.firstIndex { !($0.isNumber || $0 == ".") } ?? rest.endIndex
            guard numberEnd > rest.startIndex, let number = Double(rest[..<numberEnd]) else {
                throw InvalidDuration(input: text)
            }
            rest = rest[numberEnd...]
            let unitEnd = rest.firstIndex { $0.isNumber || $0 == "." } ?? rest.endIndex
            let unit = rest[..<unitEnd]
            rest = rest[unitEnd...]
            let scale: Double
            switch unit {
            case "ns": scale = 1
            case "us", "µs", "μs": scale = 1e3
            case "ms": scale = 1e6
            case "s": scale = 1e9
            case "m": scale = 60e9
            case "h": scale = 3600e9
            case "d": scale = 86400e9
            default: throw InvalidDuration(input: text)
            }
            totalNanos += number * scale
            // Go rejects a sum past its Duration range as invalid; checking each step also keeps inf out.
            guard totalNanos.isFinite, totalNanos < 9.223372036854775807e18 else { throw InvalidDuration(input: text) }
        }
        let seconds = Int64(totalNanos / 1e9)
        return negative ? -seconds : seconds
    }

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
