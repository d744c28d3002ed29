/// Coffer's earlier JSON layout (`{"listener": {"address": …}, "storage": {"type": "sqlite", "path": …},
/// "seal": {"type": "static", …}}`), recognised so that such a file is refused with the same configuration
/// written in Vault's format rather than with a puzzling "unknown key". The HCL keeps the old behaviour:
/// plain HTTP (`tls_disable = true`) and a static seal (the old default) when the file had none.
///
/// ```swift
/// try LegacyConfiguration.refuse(root, file: "coffer.json")
/// // coffer.json:1: this is Coffer's earlier JSON layout; Coffer now reads Vault's format. The same …
/// ```
enum LegacyConfiguration {
    static func refuse(_ root: ConfigValue, file: String) throws(ConfigurationError) {
        guard case .object(let entries) = root.kind, isLegacy(entries) else { return }
        throw ConfigurationError(
            "\(file):1: this is Coffer's earlier JSON layout; Coffer now reads Vault's format. The same "
                + "configuration in HCL (save it as a .hcl file):\n\n" + hcl(entries))
    }

    /// The old stanzas had their type as a key (`storage.type`) and the listener's keys directly inside.
    static func isLegacy(_ entries: [ConfigEntry]) -> Bool {
        let listenerKeys: Set = ["address", "max_request_size", "max_connections", "http_read_header_timeout"]
        return entries.contains { entry in
            guard case .object(let inner) = entry.value.kind else { return false }
            switch entry.key {
            case "storage", "seal": return inner.contains { $0.key == "type" && $0.value.stringValue != nil }
            case "listener": return inner.contains { listenerKeys.contains($0.key) }
            default: return false
            }
        }
    }

    static func hcl(_ entries: [ConfigEntry]) -> String {
        func stanza(_ name: String) -> [ConfigEntry] {
            entries.last { $0.key == name }.flatMap { entry in
                if case .object(let inner) = entry.value.kind { inner } else { nil }
            } ?? []
        }
        let storage = stanza("storage")
        let storageType = storage.last { $0.key == "type" }?.value.stringValue ?? "sqlite"
        var text = block("storage \"\(storageType)\"", storage.filter { $0.key != "type" })
        text += block("listener \"tcp\"", stanza("listener"), first: "  tls_disable = true\n")
        text += block("seal \"static\"", stanza("seal").filter { $0.key != "type" })
        for entry in entries where !["storage", "listener", "seal"].contains(entry.key) {
            text += "\(entry.key) = \(literal(entry.value))\n"
        }
        return text
    }

    private static func block(_ header: String, _ entries: [ConfigEntry], first: String = "") -> String {
        let body = first + entries.map { "  \($0.key) = \(literal($0.value))\n" }.joined()
        return body.isEmpty ? "\(header) {}\n" : "\(header) {\n\(body)}\n"
    }

    /// A value as HCL source; strings quoted with the escapes the reader undoes.
    static func literal(_ value: ConfigValue) -> String {
        switch value.kind {
        case .string(let text):
            var quoted = "\""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": quoted += "\\\""
                case "\\": quoted += "\\\\"
                case "\n": quoted += "\\n"
                case "\t": quoted += "\\t"
                case "\r": quoted += "\\r"
                default:
                    quoted += scalar.value < 0x20 ? "\\u" + hex4(scalar.value) : String(scalar)
                }
            }
            return quoted + "\""
        case .number(let text): return text
        case .bool(let flag): return String(flag)
        case .null: return "\"\""
        case .list(let items): return "[" + items.map(literal).joined(separator: ", ") + "]"
        case .object(let entries):
            return "{ " + entries.map { "\($0.key) = \(literal($0.value))" }.joined(separator: ", ") + " }"
        }
    }

    private static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
