import CofferFramework

/// One version's state inside a key's metadata.
///
/// ```swift
/// let version = VersionMetadata(createdTime: now, deletionTime: nil, destroyed: false)
/// version.isLive(at: now)   // true
/// ```
struct VersionMetadata: Codable, Sendable, Equatable {
    var createdTime: KVTimestamp
    /// Soft-delete time, possibly in the future when scheduled by `delete_version_after`.
    var deletionTime: KVTimestamp?
    var destroyed: Bool

    enum CodingKeys: String, CodingKey {
        case createdTime = "created_time"
        case deletionTime = "deletion_time"
        case destroyed
    }

    /// Deleted once its deletion time has passed; a scheduled future deletion still reads.
    func isDeleted(at now: KVTimestamp) -> Bool {
        guard let deletionTime else { return false }
        return deletionTime < now
    }

    func isLive(at now: KVTimestamp) -> Bool { !destroyed && !isDeleted(at: now) }

    /// The version metadata object clients see (flat on writes, under `metadata` on reads).
    func response(version: UInt64, customMetadata: [String: String]?) -> [String: JSONValue] {
        [
            "created_time": .string(createdTime.rfc3339),
            "custom_metadata": KeyMetadata.render(customMetadata),
            "deletion_time": .string(deletionTime?.rfc3339 ?? ""),
            "destroyed": .bool(destroyed),
            "version": .int(Int64(truncatingIfNeeded: version)),
        ]
    }
}

/// A key's settings and the state of each kept version, stored as JSON at `metadata/<path>`.
///
/// ```swift
/// var meta = KeyMetadata()
/// let (added, trimmed) = meta.addVersion(created: now, deletionTime: nil, configMaxVersions: 0)
/// meta.response()["current_version"]   // 1
/// ```
struct KeyMetadata: Codable, Sendable, Equatable {
    var currentVersion: UInt64 = 0
    var oldestVersion: UInt64 = 0
    var createdTime: KVTimestamp?
    var updatedTime: KVTimestamp?
    /// The key's own limit; 0 inherits the mount config.
    var maxVersions: UInt32 = 0
    var casRequired = false
    /// Seconds; 0 inherits the mount config.
    var deleteVersionAfter: Int64 = 0
    var customMetadata: [String: String]?
    /// Keyed by the decimal version number.
    var versions: [String: VersionMetadata] = [:]

    enum CodingKeys: String, CodingKey {
        case currentVersion = "current_version"
        case oldestVersion = "oldest_version"
        case createdTime = "created_time"
        case updatedTime = "updated_time"
        case maxVersions = "max_versions"
        case casRequired = "cas_required"
        case deleteVersionAfter = "delete_version_after"
        case customMetadata = "custom_metadata"
        case versions
    }

    init() {}

    static let defaultMaxVersions: UInt32 = 10

    /// What `max_versions` accepts: it is stored as a `UInt32` (as in Vault), and a value outside is a 400
    /// naming the field rather than a count wrapped into some other number.
    static let maxVersionsRange: ClosedRange<Int64> = 0...Int64(UInt32.max)

    func version(_ number: UInt64) -> VersionMetadata? { versions[String(number)] }

    /// Records a new current version and slides the max-versions window like Vault does: once the
    /// count since `oldestVersion` reaches the limit, everything up to `current - limit` goes.
    /// Returns the new version and the version numbers removed (their data must be deleted).
    mutating func addVersion(created: KVTimestamp, deletionTime: KVTimestamp?, configMaxVersions: UInt32)
        -> (VersionMetadata, trimmed: [UInt64])
    {
        let added = VersionMetadata(createdTime: created, deletionTime: deletionTime, destroyed: false)
        currentVersion += 1
        versions[String(currentVersion)] = added
        updatedTime = created
        if createdTime == nil { createdTime = created }

        let larger = max(maxVersions, configMaxVersions)
        let limit = UInt64(larger > 0 ? larger : Self.defaultMaxVersions)
        guard currentVersion - oldestVersion >= limit else { return (added, []) }
        let lastToDelete = currentVersion - limit
        var trimmed: [UInt64] = []
        if oldestVersion <= lastToDelete {
            for number in oldestVersion...lastToDelete where versions.removeValue(forKey: String(number)) != nil {
                trimmed.append(number)
            }
        }
        oldestVersion = lastToDelete + 1
        return (added, trimmed)
    }

    /// `GET metadata/<path>` data.
    func response() -> [String: JSONValue] {
        var rendered: [String: JSONValue] = [:]
        for (number, version) in versions {
            rendered[number] = [
                "created_time": .string(version.createdTime.rfc3339),
                "deletion_time": .string(version.deletionTime?.rfc3339 ?? ""),
                "destroyed": .bool(version.destroyed),
            ]
        }
        return [
            "cas_required": .bool(casRequired),
            "created_time": .string(createdTime?.rfc3339 ?? ""),
            "current_version": .int(Int64(truncatingIfNeeded: currentVersion)),
            "custom_metadata": Self.render(customMetadata),
            "delete_version_after": .string(DurationParser.goString(deleteVersionAfter)),
            "max_versions": .int(Int64(maxVersions)),
            "oldest_version": .int(Int64(truncatingIfNeeded: oldestVersion)),
            "updated_time": .string(updatedTime?.rfc3339 ?? ""),
            "versions": .object(rendered),
        ]
    }

    /// Vault stores custom metadata in protobuf, where an empty map reads back as nil: both render `null`.
    static func render(_ customMetadata: [String: String]?) -> JSONValue {
        guard let customMetadata, !customMetadata.isEmpty else { return .null }
        return .stringMap(customMetadata)
    }
}

/// Mount-wide settings stored at `config`.
///
/// ```swift
/// var config = KVConfiguration()
/// config.deleteVersionAfter = -1      // disables delete_version_after for every key
/// config.deletionTime(created: now, keySeconds: 60)   // nil
/// ```
struct KVConfiguration: Codable, Sendable, Equatable {
    var maxVersions: UInt32 = 0
    var casRequired = false
    /// Seconds; 0 unset, -1 disabled mount-wide.
    var deleteVersionAfter: Int64 = 0

    enum CodingKeys: String, CodingKey {
        case maxVersions = "max_versions"
        case casRequired = "cas_required"
        case deleteVersionAfter = "delete_version_after"
    }

    init() {}

    static let disabledDeleteVersionAfter: Int64 = -1

    var isDeleteVersionAfterDisabled: Bool { deleteVersionAfter == Self.disabledDeleteVersionAfter }

    /// When a version created (or undeleted) at `created` should be deleted: `created` plus the
    /// smaller non-zero of the mount and key durations; `nil` when neither is set or the mount disabled it.
    func deletionTime(created: KVTimestamp, keySeconds: Int64) -> KVTimestamp? {
        guard !isDeleteVersionAfterDisabled else { return nil }
        let mount = deleteVersionAfter
        if mount == 0 && keySeconds == 0 { return nil }
        var chosen = keySeconds
        if (mount != 0 && mount < chosen) || chosen == 0 { chosen = mount }
        return created.adding(seconds: chosen)
    }

    func response() -> [String: JSONValue] {
        [
            "cas_required": .bool(casRequired),
            "delete_version_after": .string(DurationParser.goString(deleteVersionAfter)),
            "max_versions": .int(Int64(maxVersions)),
        ]
    }
}
