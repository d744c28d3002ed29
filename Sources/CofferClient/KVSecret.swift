import CofferJSON

/// One version of a KV v2 secret as ``KVv2`` returns it.
///
/// ```swift
/// let secret = try await client.kvV2(mount: "secret").get("creds")
/// secret.data?["password"]?.stringValue        // nil when the version is deleted or destroyed
/// secret.versionMetadata?.version               // 3
/// ```
public struct KVSecret: Sendable {
    /// The stored key/value pairs; `nil` for a deleted or destroyed version.
    public var data: [String: JSONValue]?
    public var versionMetadata: KVVersionMetadata?
    /// The key's custom metadata (empty when none was set).
    public var customMetadata: [String: String]
    /// The whole answer, for fields this type does not model.
    public var raw: VaultResponse
}

/// What KV v2 records about one version (`created_time`, `deletion_time`, `destroyed`, `version`).
public struct KVVersionMetadata: Sendable, Equatable {
    public var version: Int
    /// RFC 3339, as the server sent it.
    public var createdTime: String
    /// RFC 3339; empty when the version is not (scheduled to be) deleted.
    public var deletionTime: String
    public var destroyed: Bool

    public init(version: Int, createdTime: String, deletionTime: String, destroyed: Bool) {
        self.version = version
        self.createdTime = createdTime
        self.deletionTime = deletionTime
        self.destroyed = destroyed
    }

    init(_ object: [String: JSONValue], version: Int? = nil) {
        self.init(
            version: version ?? Int(object["version"]?.intValue ?? 0),
            createdTime: object["created_time"]?.stringValue ?? "",
            deletionTime: object["deletion_time"]?.stringValue ?? "",
            destroyed: object["destroyed"]?.boolValue ?? false)
    }
}

/// The key-level metadata of a KV v2 secret (`GET <mount>/metadata/<path>`).
public struct KVMetadata: Sendable {
    public var currentVersion: Int
    public var oldestVersion: Int
    public var maxVersions: Int
    public var casRequired: Bool
    /// A Go duration string such as `"0s"` or `"3h0m0s"`.
    public var deleteVersionAfter: String
    public var customMetadata: [String: String]
    public var createdTime: String
    public var updatedTime: String
    /// Every kept version, oldest first.
    public var versions: [KVVersionMetadata]

    init(_ data: [String: JSONValue]) {
        currentVersion = Int(data["current_version"]?.intValue ?? 0)
        oldestVersion = Int(data["oldest_version"]?.intValue ?? 0)
        maxVersions = Int(data["max_versions"]?.intValue ?? 0)
        casRequired = data["cas_required"]?.boolValue ?? false
        deleteVersionAfter = data["delete_version_after"]?.stringValue ?? ""
        customMetadata = (data["custom_metadata"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
        createdTime = data["created_time"]?.stringValue ?? ""
        updatedTime = data["updated_time"]?.stringValue ?? ""
        versions = (data["versions"]?.objectValue ?? [:]).compactMap { key, value in
            guard let number = Int(key), let object = value.objectValue else { return nil }
            return KVVersionMetadata(object, version: number)
        }.sorted { $0.version < $1.version }
    }
}

/// Fields of a key-metadata write; `nil` leaves a field out of the request.
public struct KVMetadataUpdate: Sendable {
    public var maxVersions: Int?
    public var casRequired: Bool?
    /// A duration such as `"1h"`; `"0s"` turns automatic deletion off.
    public var deleteVersionAfter: String?
    public var customMetadata: [String: String]?

    public init(
        maxVersions: Int? = nil, casRequired: Bool? = nil, deleteVersionAfter: String? = nil,
        customMetadata: [String: String]? = nil
    ) {
        self.maxVersions = maxVersions
        self.casRequired = casRequired
        self.deleteVersionAfter = deleteVersionAfter
        self.customMetadata = customMetadata
    }

    var body: JSONValue {
        var object: [String: JSONValue] = [:]
        if let maxVersions { object["max_versions"] = .int(Int64(maxVersions)) }
        if let casRequired { object["cas_required"] = .bool(casRequired) }
        if let deleteVersionAfter { object["delete_version_after"] = .string(deleteVersionAfter) }
        if let customMetadata { object["custom_metadata"] = .object(customMetadata.mapValues(JSONValue.string)) }
        return .object(object)
    }
}

/// KV v2 failures that are not plain API errors.
public enum KVError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Nothing at the path (or that version), the Go client's `ErrSecretNotFound`; `context` names
    /// the operation, e.g. `at secret/data/creds`.
    case secretNotFound(context: String)

    public var description: String {
        switch self {
        case .secretNotFound(let context): return "secret not found: \(context)"
        }
    }
}
