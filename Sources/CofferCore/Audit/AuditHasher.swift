import CofferFramework

/// Applies a device's hashing rules (docs/audit.md § What is hashed): tokens always, accessors unless
/// `hmac_accessor=false`, every string leaf of request and response data except keys a mount exempts, and request
/// numbers too (Vault decodes request numbers as strings). With `log_raw` it changes nothing.
///
/// ```swift
/// let hasher = AuditHasher(raw: false, hmacAccessor: true, hash: device.hash)
/// var writer = JSONWriter()
/// hasher.write(["password": "p", "ttl": 60], exempt: [], hashNumbers: true, to: &writer)   // both values hashed
/// ```
struct AuditHasher: Sendable {
    let raw: Bool
    let hmacAccessor: Bool
    let hash: @Sendable (String) -> String

    func token(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return raw ? value : hash(value)
    }

    func accessor(_ value: String?) -> String? {
        guard let value, !value.isEmpty else { return nil }
        return raw || !hmacAccessor ? value : hash(value)
    }

    /// Writes a data map with its values hashed (sorted keys, as ``JSONValue`` writes objects), without building
    /// the hashed copy first.
    func write(_ data: [String: JSONValue], exempt: Set<String>, hashNumbers: Bool, to writer: inout JSONWriter) {
        guard !raw else { return writer.value(.object(data)) }
        writer.beginObject()
        for (key, value) in data.sorted(by: { $0.key < $1.key }) {
            writer.key(key)
            write(value, key: key, exempt: exempt, hashNumbers: hashNumbers, to: &writer)
        }
        writer.endObject()
    }

    /// `key` is the innermost map key above `value`; list elements inherit it, as Vault's walker sees them.
    private func write(
        _ value: JSONValue, key: String, exempt: Set<String>, hashNumbers: Bool, to writer: inout JSONWriter
    ) {
        switch value {
        case .string(let text):
            writer.string(exempt.contains(key) ? text : hash(text))
        case .int, .double:
            guard hashNumbers, !exempt.contains(key) else { return writer.value(value) }
            var bytes: [UInt8] = []
            value.write(to: &bytes)
            writer.string(hash(String(decoding: bytes, as: UTF8.self)))
        case .array(let items):
            writer.beginArray()
            for item in items { write(item, key: key, exempt: exempt, hashNumbers: hashNumbers, to: &writer) }
            writer.endArray()
        case .object(let object):
            write(object, exempt: exempt, hashNumbers: hashNumbers, to: &writer)
        case .null, .bool:
            writer.value(value)
        }
    }
}
