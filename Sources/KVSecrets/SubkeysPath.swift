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
        let depth = try fields.int("depth")
        switch try await readVersion(path, requested: try fields.int("version"), request.storage) {
        case .live(let data, let metadata):
            let limit = depth == 0 ? Int64.max : depth
            return LogicalResponse(data: ["subkeys": Self.subkeys(data, level: 1, limit: limit), "metadata": metadata])
        case .gone(let metadata):
            return LogicalResponse(data: ["subkeys": .null, "metadata": metadata], statusCode: 404)
        }
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
