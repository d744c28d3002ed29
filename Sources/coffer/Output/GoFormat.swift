import CofferClient

/// Renders JSON values the way the `vault` CLI's Go code prints them (`%v`, `%q`, durations).
///
/// ```swift
/// GoFormat.value(["default", "web"])            // "[default web]"
/// GoFormat.quotedList(["default"])               // "[\"default\"]"
/// GoFormat.humanDuration(seconds: 2_764_800)     // "768h"
/// ```
enum GoFormat {
    /// Go's `fmt.Sprintf("%v", v)` for a value decoded from JSON.
    static func value(_ value: JSONValue?) -> String {
        guard let value else { return "<nil>" }
        switch value {
        case .null: return "<nil>"
        case .bool(let flag): return flag ? "true" : "false"
        case .int(let number): return String(number)
        case .double: return value.formatted()
        case .string(let text): return text
        case .array(let elements): return "[" + elements.map { Self.value($0) }.joined(separator: " ") + "]"
        case .object(let object):
            return "map[" + object.keys.sorted().map { "\($0):\(Self.value(object[$0]))" }.joined(separator: " ") + "]"
        }
    }

    /// Go's `%q` of a `[]string`: `["a" "b"]`, and `[]` for none.
    static func quotedList(_ items: [String]?) -> String {
        "[" + (items ?? []).map(GoQuote.quote).joined(separator: " ") + "]"
    }

    /// Vault's `looksLikeDuration`: keys whose integer values are printed as durations in tables.
    static func looksLikeDuration(_ key: String) -> Bool {
        key == "period" || key.hasSuffix("_period") || key == "ttl" || key.hasSuffix("_ttl")
            || key == "duration" || key.hasSuffix("_duration") || key == "lease_max" || key == "ttl_max"
    }

    /// `%v` of a table cell, turning integer seconds into a duration for duration-like keys.
    static func cell(key: String, _ value: JSONValue?) -> String {
        if looksLikeDuration(key), let seconds = value?.intValue {
            return humanDuration(seconds: seconds)
        }
        return Self.value(value)
    }

    /// Go's `time.Duration.String()` for whole seconds with Vault's trimming (`1h0m0s` → `1h`).
    static func humanDuration(seconds: Int64) -> String {
        if seconds == 0 { return "0s" }
        let sign = seconds < 0 ? "-" : ""
        let total = seconds.magnitude
        let hours = total / 3600, minutes = total % 3600 / 60, secs = total % 60
        var text: String
        if hours > 0 {
            text = "\(hours)h\(minutes)m\(secs)s"
        } else if minutes > 0 {
            text = "\(minutes)m\(secs)s"
        } else {
            text = "\(secs)s"
        }
        if text.hasSuffix("m0s") { text.removeLast(2) }
        if let range = text.range(of: "h0m") { text.replaceSubrange(range, with: "h") }
        return sign + text
    }
}
