import CofferFramework
import CofferStorage

extension VersionedKV {
    /// `metadata/<path>`: key settings and version history; list (also at the mount root
    /// `metadata/`), write, merge-patch, and permanent delete of every version.
    ///
    /// ```swift
    /// // LIST metadata/            → {"keys":["app","team/"]}
    /// // POST metadata/app {"max_versions":3,"custom_metadata":{"owner":"ops"}} → 204
    /// ```
    var metadataPath: PathDefinition {
        PathDefinition(
            "metadata/{path*}",
            fields: [
                "path": FieldSchema(.string, description: "Location of the secret."),
                "cas_required": FieldSchema(
                    .bool,
                    description: "If true the key will require the cas parameter to be set on all write requests."),
                "max_versions": FieldSchema(
                    .int, description: "The number of versions to keep; 0 uses the mount config.",
                    range: KeyMetadata.maxVersionsRange),
                "delete_version_after": FieldSchema(
                    .duration, description: "The length of time before a version is deleted; 0 clears the setting."),
                "custom_metadata": FieldSchema(
                    .map, description: "User-provided key-value pairs describing the secret."),
            ],
            operations: [
                .read: PathOperation("Read a secret's metadata and version history") { [self] request, fields in
                    guard let meta = try await metadata(fields.string("path"), request.storage) else {
                        throw LogicalError.notFound
                    }
                    return LogicalResponse(data: meta.response())
                },
                .list: PathOperation("List secret names under a folder") { request, fields in
                    var prefix = try fields.string("path")
                    if !prefix.isEmpty && !prefix.hasSuffix("/") { prefix += "/" }
                    return .list(try await request.storage.list(prefix: Self.metadataKey(prefix)))
                },
                .create: PathOperation("Write a secret's settings") { [self] request, fields in
                    try await writeMetadata(request, fields)
                },
                .update: PathOperation("Write a secret's settings") { [self] request, fields in
                    try await writeMetadata(request, fields)
                },
                .patch: PathOperation("Merge-patch a secret's settings") { [self] request, fields in
                    try await patchMetadata(request, fields)
                },
                .delete: PathOperation("Delete a secret and every version permanently") { [self] request, fields in
                    try await deleteMetadata(request, fields)
                },
            ],
            existenceCheck: { [self] request, fields in
                try await metadata(fields.string("path"), request.storage) != nil
            },
            synopsis: "Allows interaction with key metadata and settings in the KV store.")
    }

    private static let settingNames = ["max_versions", "cas_required", "delete_version_after", "custom_metadata"]

    private static let casIgnoredWarning =
        "\"cas_required\" set to false, but is mandated by backend config. This value will be ignored."

    func writeMetadata(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let path = try fields.string("path")
        guard Self.settingNames.contains(where: fields.has) else { return nil }
        let config = try await config(request.storage)
        var customMetadata: [String: String]?
        if let raw = try fields.map("custom_metadata") {
            customMetadata = try CustomMetadata.parse(raw, droppingNulls: false)
            try CustomMetadata.validate(customMetadata!)
        }
        let response = try casWarning(fields, config)
        try await locks.withLock(path) {
            var meta = try await existingOrNewMetadata(path, request.storage)
            if fields.has("max_versions") {
                meta.maxVersions = try fields.int("max_versions", as: UInt32.self)
            }
            if fields.has("cas_required") { meta.casRequired = try fields.bool("cas_required") }
            if fields.has("delete_version_after") {
                meta.deleteVersionAfter = try fields.duration("delete_version_after")
            }
            if let customMetadata { meta.customMetadata = customMetadata }
            try await request.storage.put(Self.metadataKey(path), value: meta.json())
        }
        return response
    }

    func patchMetadata(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let path = try fields.string("path")
        let customPatch = try fields.map("custom_metadata")
        if let customPatch { try CustomMetadata.validate(CustomMetadata.parse(customPatch, droppingNulls: true)) }
        let config = try await config(request.storage)
        return try await locks.withLock(path) {
            guard var meta = try await metadata(path, request.storage) else { return LogicalResponse(statusCode: 404) }
            let response = try casWarning(fields, config)
            if fields.has("max_versions") {
                meta.maxVersions = try fields.int("max_versions", as: UInt32.self)
            }
            if fields.has("cas_required") { meta.casRequired = try fields.bool("cas_required") }
            if fields.has("delete_version_after") {
                meta.deleteVersionAfter = try fields.duration("delete_version_after")
            }
            if let customPatch {
                var merged = meta.customMetadata ?? [:]
                for (key, value) in customPatch {
                    if value.isNull {
                        merged[key] = nil
                    } else {
                        merged[key] = try CustomMetadata.parse([key: value], droppingNulls: true)[key]
                    }
                }
                meta.customMetadata = merged
            }
            try await request.storage.put(Self.metadataKey(path), value: meta.json())
            return response
        }
    }

    func deleteMetadata(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let path = try fields.string("path")
        try await locks.withLock(path) {
            guard let meta = try await metadata(path, request.storage) else { return }
            var operations: [StorageOperation] = meta.versions.compactMap { number, version in
                guard !version.destroyed, let number = UInt64(number) else { return nil }
                return .delete(key: Self.versionKey(path, number))
            }
            operations.append(.delete(key: Self.metadataKey(path)))
            try await request.storage.transaction(operations)
        }
        return nil
    }

    private func existingOrNewMetadata(_ path: String, _ storage: any Storage) async throws -> KeyMetadata {
        if let meta = try await metadata(path, storage) { return meta }
        var meta = KeyMetadata()
        let now = clock()
        meta.createdTime = now
        meta.updatedTime = now
        return meta
    }

    /// A 200 with a warning when a key tries to opt out of a CAS requirement the mount imposes.
    private func casWarning(_ fields: FieldData, _ config: KVConfiguration) throws -> LogicalResponse? {
        guard fields.has("cas_required"), config.casRequired, try !fields.bool("cas_required") else { return nil }
        return LogicalResponse(warnings: [Self.casIgnoredWarning])
    }
}
