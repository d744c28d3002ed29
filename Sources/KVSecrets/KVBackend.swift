import CofferFramework

/// The KV secrets engine's catalog entries and constructor.
///
/// ```swift
/// coreConfiguration.catalog += KVBackend.factories      // "kv", "kv-v2", "generic"
/// let backend = try await KVBackend.make(configuration)  // v2 when options["version"] == "2"
/// ```
public enum KVBackend {
    /// Catalog entries for mount types "kv" (v1 unless options["version"] == "2"), "kv-v2" and "generic" (v1 alias).
    public static let factories: [BackendFactory] = [
        BackendFactory(type: "kv", kind: .secrets) { configuration in try await make(configuration) },
        BackendFactory(type: "kv-v2", kind: .secrets) { _ in makeVersioned() },
        BackendFactory(type: "generic", kind: .secrets) { _ in PassthroughKVBackend() },
    ]

    /// Builds the backend for a mount (version from options).
    public static func make(_ configuration: BackendConfiguration) async throws -> any LogicalBackend {
        configuration.options["version"] == "2" ? makeVersioned() : PassthroughKVBackend()
    }

    static func makeVersioned(clock: @escaping KVClock = KVTimestamp.now) -> any LogicalBackend {
        VersionedKVBackend(kv: VersionedKV(clock: clock))
    }
}
