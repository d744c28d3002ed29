import Crypto
import Foundation

/// A live audit device: its table entry, parsed options, salt and sink. Hashing uses the salt (a random UUID
/// string) as the HMAC-SHA256 key, so `sys/audit-hash` and the log agree.
///
/// ```swift
/// let device = AuditDevice(entry: entry, format: try AuditFormatOptions(entry.options), salt: Hex.uuid(), sink: sink)
/// device.hash("s.token")   // "hmac-sha256:5f…"
/// ```
struct AuditDevice: Sendable {
    let entry: AuditDeviceEntry
    let format: AuditFormatOptions
    let salt: String
    let sink: any AuditSink

    func hash(_ value: String) -> String { Self.hmac(value, key: SymmetricKey(data: Array(salt.utf8))) }

    static func hmac(_ value: String, key: SymmetricKey) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: key)
        return "hmac-sha256:" + Hex.encode(Array(code))
    }

    /// The hashing this device applies to entries: none with `log_raw`.
    var hasher: AuditHasher {
        let key = SymmetricKey(data: Array(salt.utf8))
        return AuditHasher(raw: format.logRaw, hmacAccessor: format.hmacAccessor) { Self.hmac($0, key: key) }
    }

    /// One entry as the device writes it: the prefix, the JSON object, a newline.
    func line(_ record: AuditRecord, kind: AuditRecord.Kind, time: String) -> [UInt8] {
        var bytes = Array(format.prefix.utf8)
        bytes += AuditEntryWriter(hasher: hasher, elideLists: format.elideListResponses).entry(
            record, kind: kind, time: time)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
