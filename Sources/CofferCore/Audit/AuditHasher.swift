import CofferFramework

/// Applies a device's hashing rules (docs/audit.md § What is hashed): tokens always, accessors unless
/// `hmac_accessor=false`, every string leaf of request and response data except keys a mount exempts, and request
/// numbers too (Vault decodes request numbers as strings). With `log_raw` it changes nothing.
///
/// ```swift
/// let hasher = AuditHasher(raw: false, hmacAccessor: true, hash: device.hash)
/// hasher.data(["password": "p", "ttl": 60], exempt: [], hashNumbers: true)   // both values hashed
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

    func data(_ data: [String: JSONValue], exempt: Set<String>, hashNumbers: Bool) -> [String: JSONValue] {
        guard !raw else { return data }
        var out: [String: JSONValue] = [:]
        out.reserveCapacity(data.count)
        for (key, value) in data {
            out[key] = walk(value, key: key, exempt: exempt, hashNumbers: hashNumbers)
        }
        return out
    }

    /// `key` is the innermost map key above `value`; list elements inherit it, as Vault's walker sees them.
    private func walk(_ value: JSONValue, key: String, exempt: Set<String>, hashNumbers: Bool) -> JSONValue {
        switch value {
        case .string(let text):
            return exempt.contains(key) ? value : .string(hash(text))
        case .int, .double:
            guard hashNumbers, !exempt.contains(key) else { return value }
            var bytes: [UInt8] = []
            value.write(to: &bytes)
            return .string(hash(String(decoding: bytes, as: UTF8.self)))
        case .array(let items):
            return .array(items.map { walk($0, key: key, exempt: exempt, hashNumbers: hashNumbers) })
        case .object(let object):
            return .object(data(object, exempt: exempt, hashNumbers: hashNumbers))
        case .null, .bool:
            return value
        }
    }
}
