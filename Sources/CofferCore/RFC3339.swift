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
        var text = String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
            Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
        if nanos > 0 {
            var fraction = String(format: "%09lld", nanos)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }
}
