import Foundation

/// UTC RFC 3339 timestamps with nanosecond precision and trailing zeros trimmed, as Go prints them.
public enum RFC3339 {
    public static func string(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        return string(unixSeconds: seconds)
    }

    public static func string(unixSeconds: Double) -> String {
        var whole = Int64(unixSeconds.rounded(.down))
        var nanos = Int64(((unixSeconds - Double(whole)) * 1e9).rounded())
        if nanos >= 1_000_000_000 {
            whole += 1
            nanos -= 1_000_000_000
        }
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        // Hand-formatted: `String(format:)` is slow on Linux and this runs on every token lookup.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(32)
        func digits(_ value: Int, _ width: Int) {
            var divisor = 1
            for _ in 1..<width { divisor *= 10 }
            var remaining = value
            while divisor > 0 {
                bytes.append(UInt8(ascii: "0") + UInt8(remaining / divisor % 10))
                remaining %= divisor
                divisor /= 10
            }
        }
        digits(Int(parts.tm_year) + 1900, 4)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mon) + 1, 2)
        bytes.append(UInt8(ascii: "-"))
        digits(Int(parts.tm_mday), 2)
        bytes.append(UInt8(ascii: "T"))
        digits(Int(parts.tm_hour), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_min), 2)
        bytes.append(UInt8(ascii: ":"))
        digits(Int(parts.tm_sec), 2)
        if nanos > 0 {
            bytes.append(UInt8(ascii: "."))
            digits(Int(nanos), 9)
            while bytes.last == UInt8(ascii: "0") { bytes.removeLast() }
        }
        bytes.append(UInt8(ascii: "Z"))
        return String(decoding: bytes, as: UTF8.self)
    }
}
