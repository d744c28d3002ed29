import CofferFramework

extension SystemBackend {
    /// `sys/rekey/backup` and `sys/rekey/recovery-key-backup` (docs/seal.md § Rekey). Vault stores a backup only
    /// of PGP-encrypted new shares; Coffer refuses PGP keys, so there is never one to read: a read answers
    /// Vault's 400 `no backed-up keys found` and a delete succeeds with nothing to remove.
    ///
    /// ```swift
    /// let paths = mountPaths(.secrets) + rekeyBackupPaths()
    /// ```
    func rekeyBackupPaths() -> [PathDefinition] {
        [("rekey/backup", "unseal"), ("rekey/recovery-key-backup", "recovery")].map { path, kind in
            PathDefinition(
                path,
                operations: [
                    .read: PathOperation("Read the backup of the new \(kind) key shares") { _, _ in
                        throw LogicalError.badRequest("no backed-up keys found")
                    },
                    .delete: PathOperation("Delete the backup of the new \(kind) key shares") { _, _ in nil },
                ], synopsis: "Backup of the \(kind) key shares made by a PGP rekey (never made by Coffer)")
        }
    }
}
