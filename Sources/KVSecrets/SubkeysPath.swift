import CofferFramework

extension VersionedKV {
    /// `subkeys/<path>`: a version's structure with every leaf replaced by `null`, descending
    /// nested objects up to `depth` levels (0 = no limit).
    ///
    /// ```swift
    /// // data {"a":1,"b":{"c":2}}:  GET subkeys/app          → {"subkeys":{"a":null,"b":{"c":null}},"metadata":{…}}
    /// //                            GET subkeys/app?depth=1  → {"subkeys":{"a":null,"b":null},"metadata":{…}}
    /// ```
    var subkeysPath: PathDefinition {
        PathDefinition(
            "subkeys/{path*}",
            fields: [
                "path": FieldSchema(.string, description: "Location of the secret."),
                "version": FieldSchema(
                    .int, description: "Which version to read; the current version when absent or 0."),
                "depth": FieldSchema(
                    .int, description: "The deepest nesting level to return; 0 imposes no limit."),
            ],
            operations: [
                .read: PathOperation("Read the structure of a secret without its values") { [self] request, fields in
                    try await readSubkeys(request, fields)
                }
            ],
            synopsis: "Read the structure of a secret entry from the Key-Value store with the values removed.")
    }

    func readSubkeys(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let path = try fields.string("path")
        let requested = try fields.int("version")
        let depth = try fields.int("depth")
        for _ in 0..<2 {
            guard let meta = try await metadata(path, request.storage) else { throw LogicalError.notFound }
            let number = requested > 0 ? UInt64(requested) : meta.currentVersion
            guard let version = meta.version(number) else { throw LogicalError.notFound }
            let versionMetadata = JSONValue.object(
                version.response(version: number, customMetadata: meta.customMetadata))
            guard version.isLive(at: clock()) else {
                return LogicalResponse(data: ["subkeys": .null, "metadata": versionMetadata], statusCode: 404)
            }
            if let data = try await versionData(path, number, request.storage) {
                let limit = depth == 0 ? Int64.max : depth
                return LogicalResponse(data: [
                    "subkeys": Self.subkeys(data, level: 1, limit: limit), "metadata": versionMetadata,
                ])
            }
        }
        throw Self.couldNotFindVersionData
    }

    /// Keys of `object` at nesting `level`; a non-empty object one level down is descended only
    /// while that level stays within `limit`, otherwise it becomes `null` like any leaf.
    static func subkeys(_ object: JSONValue, level: Int64, limit: Int64) -> JSONValue {
        guard case .object(let members) = object else { return .null }
        return .object(
            members.mapValues { value in
                if case .object(let nested) = value, !nested.isEmpty, level < limit {
                    return subkeys(value, level: level + 1, limit: limit)
                }
                return .null
            })
    }
}
