import CofferFramework
import CofferStorage
import Foundation
import Synchronization

/// State and storage access shared by every KV v2 path of one mount: the cached mount config,
/// per-key write locks and the clock.
///
/// Layout inside the mount's storage view: `config`, `metadata/<path>` (``KeyMetadata`` JSON) and
/// `versions/<path>/<n>` (the version's data object as JSON). A read is one metadata get plus one
/// version get; a write is one transaction.
///
/// ```swift
/// let kv = VersionedKV(clock: KVTimestamp.now)
/// let backend = kv.backend()      // the LogicalBackend for the mount
/// ```
final class VersionedKV: Sendable {
    let clock: KVClock
    let locks = KeyedAsyncLock()
    private let cachedConfig = Mutex<KVConfiguration?>(nil)
    private let decodedMetadata = Mutex<[String: (bytes: [UInt8], metadata: KeyMetadata)]>([:])

    init(clock: @escaping KVClock = KVTimestamp.now) {
        self.clock = clock
    }

    static let configKey = "config"

    static func metadataKey(_ path: String) -> String { "metadata/" + path }

    static func versionKey(_ path: String, _ version: UInt64) -> String { "versions/\(path)/\(version)" }

    func config(_ storage: any Storage) async throws -> KVConfiguration {
        if let cached = cachedConfig.withLock({ $0 }) { return cached }
        let loaded = try await decode(KVConfiguration.self, storage.get(Self.configKey)) ?? KVConfiguration()
        cachedConfig.withLock { $0 = loaded }
        return loaded
    }

    func saveConfig(_ config: KVConfiguration, _ storage: any Storage) async throws {
        try await storage.put(Self.configKey, value: encode(config))
        cachedConfig.withLock { $0 = config }
    }

    func forgetConfig() {
        cachedConfig.withLock { $0 = nil }
    }

    func metadata(_ path: String, _ storage: any Storage) async throws -> KeyMetadata? {
        guard let bytes = try await storage.get(Self.metadataKey(path)) else { return nil }
        // Decoding is the costly part of a read; reuse the last decoding while the stored bytes are
        // unchanged. Keyed by content, so no write path needs to invalidate anything.
        if let cached = decodedMetadata.withLock({ $0[path] }), cached.bytes == bytes { return cached.metadata }
        let decoded = try KeyMetadata(json: bytes)
        remember(path, bytes: bytes, metadata: decoded)
        return decoded
    }

    /// Keeps a decoding for the next read of `path`; a write calls it with what it stored, so the read after
    /// a write decodes nothing.
    func remember(_ path: String, bytes: [UInt8], metadata: KeyMetadata) {
        decodedMetadata.withLock {
            if $0.count >= 10_000 { $0.removeAll(keepingCapacity: true) }
            $0[path] = (bytes, metadata)
        }
    }

    /// A version as reads see it: its data when live, or only its metadata when deleted or destroyed.
    enum VersionRead {
        case live(data: JSONValue, metadata: JSONValue)
        case gone(metadata: JSONValue)
    }

    /// Reads a version (`requested` 0 = current) with its response metadata; missing → 404. A second
    /// pass covers a destroy or trim landing between the metadata and the version read.
    func readVersion(_ path: String, requested: Int64, _ storage: any Storage) async throws -> VersionRead {
        for _ in 0..<2 {
            guard let meta = try await metadata(path, storage) else { throw LogicalError.notFound }
            let number = requested > 0 ? UInt64(requested) : meta.currentVersion
            guard let version = meta.version(number) else { throw LogicalError.notFound }
            let versionMetadata = JSONValue.object(
                version.response(version: number, customMetadata: meta.customMetadata))
            guard version.isLive(at: clock()) else { return .gone(metadata: versionMetadata) }
            if let data = try await versionData(path, number, storage) {
                return .live(data: data, metadata: versionMetadata)
            }
        }
        throw Self.couldNotFindVersionData
    }

    func versionData(_ path: String, _ version: UInt64, _ storage: any Storage) async throws -> JSONValue? {
        guard let bytes = try await storage.get(Self.versionKey(path, version)) else { return nil }
        return try JSONParser.parse(bytes)
    }

    func encode(_ value: some Encodable) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return Array(try encoder.encode(value))
    }

    private func decode<T: Decodable>(_ type: T.Type, _ bytes: [UInt8]?) throws -> T? {
        guard let bytes else { return nil }
        return try JSONDecoder().decode(T.self, from: Data(bytes))
    }

    /// Appends `data` as the key's next version: applies delete_version_after and max_versions,
    /// and writes the version, the metadata and the trimmed versions' removal in one transaction.
    /// The caller holds the key's lock and has checked CAS. Returns the write response data.
    func appendVersion(
        _ data: JSONValue, to meta: inout KeyMetadata, path: String, config: KVConfiguration, storage: any Storage
    ) async throws -> [String: JSONValue] {
        let now = clock()
        let deletion = config.deletionTime(created: now, keySeconds: meta.deleteVersionAfter)
        let (added, trimmed) = meta.addVersion(
            created: now, deletionTime: deletion, configMaxVersions: config.maxVersions)
        let metadataBytes = meta.json()
        var operations: [StorageOperation] = [
            .put(key: Self.versionKey(path, meta.currentVersion), value: data.serialized()),
            .put(key: Self.metadataKey(path), value: metadataBytes),
        ]
        operations += trimmed.map { .delete(key: Self.versionKey(path, $0)) }
        try await storage.transaction(operations)
        remember(path, bytes: metadataBytes, metadata: meta)
        return added.response(version: meta.currentVersion, customMetadata: meta.customMetadata)
    }

    /// Enforces `options.cas` and `cas_required` (mount or key) exactly as Vault words it.
    static func checkAndSet(_ options: [String: JSONValue]?, config: KVConfiguration, meta: KeyMetadata) throws {
        guard let cas = options?["cas"] else {
            if config.casRequired || meta.casRequired {
                throw LogicalError.badRequest("check-and-set parameter required for this call")
            }
            return
        }
        let expected: Int64
        switch cas {
        case .null: expected = 0
        case .int(let i): expected = i
        case .double(let d): expected = Int64(exactly: d.rounded(.towardZero)) ?? -1
        case .bool(let b): expected = b ? 1 : 0
        case .string(let s):
            if s.isEmpty {
                expected = 0
            } else if let parsed = Int64(s) {
                expected = parsed
            } else {
                throw LogicalError.badRequest("error parsing check-and-set parameter")
            }
        case .array, .object: throw LogicalError.badRequest("error parsing check-and-set parameter")
        }
        guard expected >= 0, UInt64(expected) == meta.currentVersion else {
            throw LogicalError.badRequest("check-and-set parameter did not match the current version")
        }
    }

    static let couldNotFindVersionData = LogicalError(
        status: 500, messages: ["could not find version data"], isMultiError: true)
}
