/// Why a sink could not deliver an entry. The text names the destination and the system's reason, never the
/// entry's contents, because it goes to the server log.
///
/// ```swift
/// throw AuditSinkError(description: "open /var/log/coffer/audit.log: Permission denied")
/// ```
struct AuditSinkError: Error, CustomStringConvertible {
    var description: String
}
