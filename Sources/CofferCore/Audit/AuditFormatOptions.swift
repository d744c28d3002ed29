import CofferFramework

/// The options every audit device type shares (`format`, `prefix`, `log_raw`, `hmac_accessor`,
/// `elide_list_responses`), parsed once when the device is built.
///
/// ```swift
/// let options = try AuditFormatOptions(["log_raw": "true", "prefix": "vault:"])
/// options.logRaw   // true
/// ```
struct AuditFormatOptions: Sendable, Equatable {
    var prefix = ""
    var logRaw = false
    var hmacAccessor = true
    var elideListResponses = false

    init(_ options: [String: String]) throws {
        let format = options["format"] ?? "json"
        // Only the JSON rendering exists; jsonx (XML) is refused as an unknown format (docs/audit.md).
        guard format == "json" || format.isEmpty else {
            throw LogicalError.badRequest("unknown format type \"\(format)\"")
        }
        prefix = options["prefix"] ?? ""
        logRaw = try Self.bool(options["log_raw"], default: false)
        hmacAccessor = try Self.bool(options["hmac_accessor"], default: true)
        elideListResponses = try Self.bool(options["elide_list_responses"], default: false)
    }

    /// Go's `strconv.ParseBool`, with its error text, because Vault reports that text unchanged.
    static func bool(_ text: String?, default fallback: Bool) throws -> Bool {
        guard let text else { return fallback }
        switch text {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: throw LogicalError.badRequest("strconv.ParseBool: parsing \(GoQuote.quote(text)): invalid syntax")
        }
    }
}
