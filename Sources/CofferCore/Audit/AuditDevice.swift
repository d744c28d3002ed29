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
        var value = value
        value.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
        let digest = mac.finalize()
        // "hmac-sha256:" and the hex digits written into one string, without an intermediate array per value.
        return String(unsafeUninitializedCapacity: prefix.count + 2 * SHA256.byteCount) { buffer in
            var index = 0
            for byte in prefix {
                buffer[index] = byte
                index += 1
            }
            digest.withUnsafeBytes { bytes in
                for byte in bytes {
                    buffer[index] = hexDigits[Int(byte >> 4)]
                    buffer[index + 1] = hexDigits[Int(byte & 0x0F)]
                    index += 2
                }
            }
            return index
        }
    }

    private static let prefix = Array("hmac-sha256:".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// The hashing this device applies to entries: none with `log_raw`.
    var hasher: AuditHasher {
        let keyed = keyed
        return AuditHasher(raw: format.logRaw, hmacAccessor: format.hmacAccessor) { Self.hmac($0, keyed: keyed) }
    }

    /// One entry as the device writes it: the prefix, the JSON object, a newline.
    func line(_ record: AuditRecord, kind: AuditRecord.Kind, time: String) -> [UInt8] {
        var bytes = AuditEntryWriter(hasher: hasher, elideLists: format.elideListResponses).entry(
            record, kind: kind, time: time)
        if !format.prefix.isEmpty { bytes.insert(contentsOf: format.prefix.utf8, at: 0) }
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
