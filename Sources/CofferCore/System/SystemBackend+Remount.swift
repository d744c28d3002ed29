import CofferFramework
import Foundation

/// `sys/remount` and `sys/remount/status/<migration_id>` (docs/system.md § Moving a mount).
///
///     POST sys/remount {"from": "secret", "to": "kv2"}   → data.migration_id, the move already done
extension SystemBackend {
    func remountPaths() -> [PathDefinition] {
        [
            PathDefinition(
                "remount",
                fields: [
                    "from": FieldSchema(.string, description: "The current mount path (auth/<path> for auth methods)"),
                    "to": FieldSchema(.string, description: "The new mount path"),
                ],
                operations: [
                    .update: PathOperation("Move a mount and its data") { _, fields in try await remount(fields) }
                ],
                synopsis: "Move a mount to a new path, keeping its data", sudo: true),
            PathDefinition(
                "remount/status/{migration_id}",
                fields: ["migration_id": FieldSchema(.string, description: "The id sys/remount returned")],
                operations: [
                    .read: PathOperation("Status of a mount move") { _, fields in
                        let id = try fields.string("migration_id")
                        guard let info = migrations.info(id) else { return nil }
                        return LogicalResponse(data: ["migration_id": .string(id), "migration_info": .object(info)])
                    }
                ], synopsis: "The status of a mount move"),
        ]
    }

    func remount(_ fields: FieldData) async throws -> LogicalResponse {
        let from = try fields.string("from")
        let to = try fields.string("to")
        guard !from.isEmpty, !to.isEmpty else {
            throw LogicalError.badRequest("both 'from' and 'to' path must be specified as a string")
        }
        for (name, value) in [("from", from), ("to", to)] where value.trimmingCharacters(in: .whitespaces) != value {
            throw LogicalError.badRequest("'\(name)' path cannot contain trailing whitespace")
        }
        let source = Core.sanitizeRemountPath(from)
        let target = Core.sanitizeRemountPath(to)
        try await core.moveMount(from: source, to: target)
        let id = migrations.record(source: source, target: target, status: "success")
        return LogicalResponse(
            data: ["migration_id": .string(id)],
            warnings: [
                "Mount move has been queued. Progress will be reported in Vault's server log, tagged with the returned migration_id"
            ], injectDataAtTopLevel: true)
    }
}
