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
    /// HMAC state with the salt already absorbed: each value copies it instead of redoing the key schedule, which
    /// is most of the cost of hashing short values (every entry hashes several tokens and accessors).
    private let keyed: HMAC<SHA256>

    init(entry: AuditDeviceEntry, format: AuditFormatOptions, salt: String, sink: any AuditSink) {
        self.entry = entry
        self.format = format
        self.salt = salt
        self.sink = sink
        self.keyed = HMAC<SHA256>(key: SymmetricKey(data: Array(salt.utf8)))
    }

    func hash(_ value: String) -> String { Self.hmac(value, keyed: keyed) }

    static func hmac(_ value: String, keyed: HMAC<SHA256>) -> String {
        var mac = keyed
        mac.update(data: Array(value.utf8))
        return "hmac-sha256:" + Hex.encode(Array(mac.finalize()))
    }

    /// The hashing this device applies to entries: none with `log_raw`.
    var hasher: AuditHasher {
        let keyed = keyed
        return AuditHasher(raw: format.logRaw, hmacAccessor: format.hmacAccessor) { Self.hmac($0, keyed: keyed) }
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
