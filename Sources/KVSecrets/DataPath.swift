import CofferFramework
import CofferStorage

extension VersionedKV {
    /// `data/<path>`: read (optionally `?version=`), create/update with `options.cas`, merge-patch,
    /// and soft delete of the current version.
    ///
    /// ```swift
    /// // POST data/app {"data":{"user":"a"},"options":{"cas":0}} → data: version metadata
    /// // GET  data/app?version=1                                → data: {"data":{…},"metadata":{…}}
    /// ```
    var dataPath: PathDefinition {
        PathDefinition(
            "data/{path*}",
            fields: [
                "path": FieldSchema(.string, description: "Location of the secret."),
                "version": FieldSchema(
                    .int, description: "If provided during a read, the value at the version number will be returned"),
                "options": FieldSchema(
                    .map, description: "Options for writing a KV entry; set \"cas\" for check-and-set."),
                "data": FieldSchema(
                    .map, description: "The contents of the data map will be stored and returned on read."),
            ],
            operations: [
                .read: PathOperation("Read a version of a secret") { [self] request, fields in
                    try await readData(request, fields)
                },
                .create: PathOperation("Write a new version of a secret") { [self] request, fields in
                    try await writeData(request, fields)
                },
                .update: PathOperation("Write a new version of a secret") { [self] request, fields in
                    try await writeData(request, fields)
                },
                .patch: PathOperation("Merge-patch the current version of a secret") { [self] request, fields in
                    try await patchData(request, fields)
                },
                .delete: PathOperation("Soft-delete the current version of a secret") { [self] request, fields in
                    try await deleteCurrentVersion(request, fields)
                },
            ],
            existenceCheck: { [self] request, fields in
                try await metadata(fields.string("path"), request.storage) != nil
            },
            synopsis: "Write, Patch, Read, and Delete data in the Key-Value Store.",
            description:
                "Each write creates a new version; reads return the current version unless \"version\" is set; "
                + "deletes are soft and can be undone.")
    }

    func readData(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let path = try fields.string("path")
        switch try await readVersion(path, requested: try fields.int("version"), request.storage) {
        case .live(let data, let metadata): return LogicalResponse(data: ["data": data, "metadata": metadata])
        case .gone(let metadata): return LogicalResponse(data: ["data": .null, "metadata": metadata], statusCode: 404)
        }
    }

    func writeData(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let path = try fields.string("path")
        let config = try await config(request.storage)
        guard fields.has("data"), let data = try fields.map("data") else {
            throw LogicalError.badRequest("no data provided")
        }
        let options = try fields.map("options")
        return try await locks.withLock(path) {
            var meta = try await metadata(path, request.storage) ?? KeyMetadata()
            try Self.checkAndSet(options, config: config, meta: meta)
            let response = try await appendVersion(
                .object(data), to: &meta, path: path, config: config, storage: request.storage)
            return LogicalResponse(data: response)
        }
    }

    func patchData(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let path = try fields.string("path")
        guard fields.has("data"), let patch = try fields.map("data") else {
            throw LogicalError.badRequest("no data provided")
        }
        let options = try fields.map("options")
        return try await locks.withLock(path) {
            // No key: 404 with no body at all (Vault responds with a bare status code here).
            guard var meta = try await metadata(path, request.storage) else { return LogicalResponse(statusCode: 404) }
            let config = try await config(request.storage)
            try Self.checkAndSet(options, config: config, meta: meta)
            guard let current = meta.version(meta.currentVersion) else { return LogicalResponse(statusCode: 404) }
            guard current.isLive(at: clock()) else {
                let flat = current.response(version: meta.currentVersion, customMetadata: meta.customMetadata)
                return LogicalResponse(data: flat, statusCode: 404)
            }
            guard let existing = try await versionData(path, meta.currentVersion, request.storage) else {
                throw Self.couldNotFindVersionData
            }
            let patched = JSONMergePatch.apply(.object(patch), to: existing)
            let response = try await appendVersion(
                patched, to: &meta, path: path, config: config, storage: request.storage)
            return LogicalResponse(data: response)
        }
    }

    func deleteCurrentVersion(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let path = try fields.string("path")
        return try await locks.withLock(path) {
            guard var meta = try await metadata(path, request.storage),
                var current = meta.version(meta.currentVersion)
            else { return nil }
            let now = clock()
            guard current.isLive(at: now) else { return nil }
            current.deletionTime = now
            meta.versions[String(meta.currentVersion)] = current
            try await request.storage.put(Self.metadataKey(path), value: meta.json())
            return nil
        }
    }
}
