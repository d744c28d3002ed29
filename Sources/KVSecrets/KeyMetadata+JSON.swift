import CofferFramework

/// The hand-written stored form of ``KeyMetadata`` — the same members `Codable` wrote, so stored metadata
/// reads either way. Every KV v2 write decodes and re-encodes its key's metadata, and Foundation's coders
/// were a fifth of a persistent write's CPU (Benchmarks/http-load).
///
/// ```swift
/// let bytes = meta.json()
/// let same = try KeyMetadata(json: bytes)   // == meta
/// ```
extension KeyMetadata {
    func json() -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + versions.count * 96)
        writer.beginObject()
        writer.member("current_version", Int64(truncatingIfNeeded: currentVersion))
        writer.member("oldest_version", Int64(truncatingIfNeeded: oldestVersion))
        if let createdTime { writer.member("created_time", createdTime.nanoseconds) }
        if let updatedTime { writer.member("updated_time", updatedTime.nanoseconds) }
        writer.member("max_versions", Int64(maxVersions))
        writer.member("cas_required", casRequired)
        writer.member("delete_version_after", deleteVersionAfter)
        if let customMetadata { writer.member("custom_metadata", customMetadata) }
        writer.key("versions")
        writer.beginObject()
        for (number, version) in versions.sorted(by: { $0.key < $1.key }) {
            writer.key(number)
            writer.beginObject()
            writer.member("created_time", version.createdTime.nanoseconds)
            if let deletionTime = version.deletionTime { writer.member("deletion_time", deletionTime.nanoseconds) }
            writer.member("destroyed", version.destroyed)
            writer.endObject()
        }
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }

    init(json bytes: [UInt8]) throws {
        let reader = try JSONObjectReader(JSONParser.parse(bytes))
        self.init()
        currentVersion = try Self.unsigned(reader, "current_version")
        oldestVersion = try Self.unsigned(reader, "oldest_version")
        createdTime = try Self.timestamp(reader, "created_time")
        updatedTime = try Self.timestamp(reader, "updated_time")
        guard let maxVersions = UInt32(exactly: try reader.int("max_versions")) else {
            throw JSONObjectReader.Failure(key: "max_versions", expected: "a 32-bit unsigned integer")
        }
        self.maxVersions = maxVersions
        casRequired = try reader.bool("cas_required")
        deleteVersionAfter = try reader.int("delete_version_after")
        customMetadata = reader.stringMap("custom_metadata")
        guard let stored = reader["versions"]?.objectValue else {
            throw JSONObjectReader.Failure(key: "versions", expected: "an object")
        }
        for (number, value) in stored {
            let version = try JSONObjectReader(value)
            versions[number] = VersionMetadata(
                createdTime: KVTimestamp(nanoseconds: try version.int("created_time")),
                deletionTime: try Self.timestamp(version, "deletion_time"),
                destroyed: try version.bool("destroyed"))
        }
    }

    /// An optional time: absent (or null) is nil.
    private static func timestamp(_ reader: JSONObjectReader, _ key: String) throws -> KVTimestamp? {
        guard let value = reader[key], value != .null else { return nil }
        return KVTimestamp(nanoseconds: try reader.int(key))
    }

    private static func unsigned(_ reader: JSONObjectReader, _ key: String) throws -> UInt64 {
        guard let value = UInt64(exactly: try reader.int(key)) else {
            throw JSONObjectReader.Failure(key: key, expected: "an unsigned integer")
        }
        return value
    }
}
