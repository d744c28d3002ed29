import CofferFramework
import CofferStorage

extension VersionedKV {
    /// `delete/<path>`, `undelete/<path>` and `destroy/<path>`: act on listed versions, skipping
    /// versions that do not exist or are already in the target state.
    ///
    /// ```swift
    /// // POST delete/app   {"versions":[1,2]}   → 204
    /// // POST destroy/app  {"versions":"3"}     → 204
    /// ```
    var versionPaths: [PathDefinition] {
        [
            versionPath(
                "delete", summary: "Soft-delete versions of a secret",
                versionsHelp: "The versions to be archived; their data stays but is no longer returned.",
                emptyMessage: "No version number provided", apply: softDelete),
            versionPath(
                "undelete", summary: "Restore soft-deleted versions of a secret",
                versionsHelp: "The versions to unarchive.",
                emptyMessage: "No version number provided", apply: undelete),
            versionPath(
                "destroy", summary: "Permanently remove versions of a secret",
                versionsHelp: "The versions to destroy. Their data will be permanently deleted.",
                emptyMessage: "no version number provided", apply: destroy),
        ]
    }

    /// Applies an action to one version's metadata; returns the storage operations it needs
    /// besides the metadata write.
    typealias VersionAction =
        @Sendable (
            _ version: inout VersionMetadata, _ number: UInt64, _ path: String, _ meta: KeyMetadata,
            _ config: KVConfiguration, _ now: KVTimestamp
        ) -> [StorageOperation]

    private func versionPath(
        _ name: String, summary: String, versionsHelp: String, emptyMessage: String, apply: @escaping VersionAction
    ) -> PathDefinition {
        PathDefinition(
            "\(name)/{path*}",
            fields: [
                "path": FieldSchema(.string, description: "Location of the secret."),
                "versions": FieldSchema(.commaIntSlice, description: versionsHelp),
            ],
            operations: [
                .update: PathOperation(summary) { [self] request, fields in
                    let path = try fields.string("path")
                    let versions = try fields.intSlice("versions")
                    guard !versions.isEmpty else { throw LogicalError.badRequest(emptyMessage) }
                    let config = try await config(request.storage)
                    try await locks.withLock(path) {
                        guard var meta = try await metadata(path, request.storage) else { return }
                        let now = clock()
                        var operations: [StorageOperation] = []
                        for number in versions where number > 0 {
                            let key = String(number)
                            guard var version = meta.versions[key] else { continue }
                            operations += apply(&version, UInt64(number), path, meta, config, now)
                            meta.versions[key] = version
                        }
                        operations.append(.put(key: Self.metadataKey(path), value: meta.json()))
                        try await request.storage.transaction(operations)
                    }
                    return nil
                }
            ],
            synopsis: summary)
    }

    private var softDelete: VersionAction {
        { version, _, _, _, _, now in
            if version.isLive(at: now) { version.deletionTime = now }
            return []
        }
    }

    private var undelete: VersionAction {
        { version, _, _, meta, config, now in
            guard !version.destroyed else { return [] }
            version.deletionTime = config.deletionTime(created: now, keySeconds: meta.deleteVersionAfter)
            return []
        }
    }

    private var destroy: VersionAction {
        { version, number, path, _, _, _ in
            guard !version.destroyed else { return [] }
            version.destroyed = true
            return [.delete(key: Self.versionKey(path, number))]
        }
    }
}
