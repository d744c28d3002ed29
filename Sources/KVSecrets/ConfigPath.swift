import CofferFramework

extension VersionedKV {
    /// `config`: mount-wide max_versions, cas_required and delete_version_after.
    ///
    /// ```swift
    /// // POST config {"max_versions":5,"delete_version_after":"-1s"} → 204
    /// // GET  config → {"cas_required":false,"delete_version_after":"-1s","max_versions":5}
    /// ```
    var configPath: PathDefinition {
        PathDefinition(
            "config",
            fields: [
                "max_versions": FieldSchema(
                    .int, description: "The number of versions to keep for each key. Defaults to 10",
                    range: KeyMetadata.maxVersionsRange),
                "cas_required": FieldSchema(
                    .bool, description: "If true, the backend will require the cas parameter to be set for each write"),
                "delete_version_after": FieldSchema(
                    .duration,
                    description:
                        "The length of time before a version is deleted; negative disables it on all keys, 0 clears it."
                ),
            ],
            operations: [
                .read: PathOperation("Read the backend level settings.") { [self] request, _ in
                    LogicalResponse(data: try await config(request.storage).response())
                },
                .update: PathOperation("Configure backend level settings that are applied to every key.") {
                    [self] request, fields in
                    guard ["max_versions", "cas_required", "delete_version_after"].contains(where: fields.has) else {
                        return nil
                    }
                    var config = try await config(request.storage)
                    if fields.has("max_versions") {
                        config.maxVersions = try fields.int("max_versions", as: UInt32.self)
                    }
                    if fields.has("cas_required") { config.casRequired = try fields.bool("cas_required") }
                    if fields.has("delete_version_after") {
                        let seconds = try fields.duration("delete_version_after")
                        config.deleteVersionAfter = seconds < 0 ? KVConfiguration.disabledDeleteVersionAfter : seconds
                    }
                    try await saveConfig(config, request.storage)
                    return nil
                },
            ],
            synopsis: "Configures settings for the KV store")
    }
}
