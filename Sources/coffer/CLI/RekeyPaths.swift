/// The endpoints `coffer operator rekey` talks to for its `-target`: the unseal keys (`barrier`, Vault's default)
/// or the recovery keys of an auto-unseal seal (`recovery`, also spelled `hsm`).
///
/// ```swift
/// let paths = try RekeyPaths(target: "recovery")
/// paths.initialize   // "sys/rekey-recovery-key/init"
/// ```
struct RekeyPaths: Sendable {
    enum Target: Sendable { case barrier, recovery }

    let target: Target
    let initialize: String
    let update: String
    let verify: String
    let backup: String

    /// An unknown target prints `Unknown target: <t>` and exits 1, as Vault's command does.
    init(target text: String) throws {
        switch text.trimmed.lowercased() {
        case "barrier":
            target = .barrier
            (initialize, update, verify) = ("sys/rekey/init", "sys/rekey/update", "sys/rekey/verify")
            backup = "sys/rekey/backup"
        case "recovery", "hsm":
            target = .recovery
            (initialize, update, verify) = (
                "sys/rekey-recovery-key/init", "sys/rekey-recovery-key/update", "sys/rekey-recovery-key/verify"
            )
            backup = "sys/rekey/recovery-key-backup"
        default:
            throw fail("Unknown target: \(text)", code: ExitStatus.usage)
        }
    }
}
