import CofferFramework

/// One row of the audit table (`core/audit`, encrypted like the mount table): what `sys/audit` lists and what is
/// rebuilt into a live ``AuditDevice`` at unseal.
///
/// ```swift
/// let entry = AuditDeviceEntry(path: "file/", type: "file", description: "", options: ["file_path": "/var/log/a.log"],
///                              local: false, uuid: Hex.uuid())
/// entry.info()   // ["type": "file", "path": "file/", "options": {...}, ...]
/// ```
public struct AuditDeviceEntry: Sendable, Codable, Equatable {
    /// With a trailing slash (`file/`).
    public var path: String
    public var type: String
    public var description: String
    public var options: [String: String]
    public var local: Bool
    /// Internal id; the device's salt lives under it, so a device enabled again at the same path hashes anew.
    public var uuid: String

    public init(path: String, type: String, description: String, options: [String: String], local: Bool, uuid: String) {
        self.path = path
        self.type = type
        self.description = description
        self.options = options
        self.local = local
        self.uuid = uuid
    }

    /// The object `GET sys/audit` shows for this device (docs/audit.md).
    public func info() -> [String: JSONValue] {
        [
            "type": .string(type), "description": .string(description), "options": .stringMap(options),
            "local": .bool(local), "path": .string(path),
        ]
    }

    /// Where the device's salt is kept in barrier storage.
    var saltKey: String { "audit/\(uuid)/salt" }
}
