import CofferFramework

/// Tuning of a mount (`config` in `sys/mounts` and `sys/auth` listings).
public struct MountConfig: Sendable, Codable, Equatable {
    /// Seconds; 0 = system default.
    public var defaultLeaseTTL: Int64 = 0
    /// Seconds; 0 = system default.
    public var maxLeaseTTL: Int64 = 0
    public var forceNoCache = false
    /// Auth mounts: one of ``TokenType/defaultingChoices``.
    public var tokenType: TokenType = .defaultService
    public var listingVisibility: String = ""
    public var auditNonHMACRequestKeys: [String] = []
    public var auditNonHMACResponseKeys: [String] = []
    public var passthroughRequestHeaders: [String] = []
    public var allowedResponseHeaders: [String] = []

    public init() {}
}

/// One entry of the mount table: a secrets engine at `<path>` or an auth method at `auth/<path>`.
///
/// ```swift
/// let entry = MountEntry(path: "secret/", type: "kv", kind: .secrets, options: ["version": "2"])
/// entry.routePrefix   // "secret/"
/// ```
public struct MountEntry: Sendable, Codable, Equatable {
    public enum Kind: String, Sendable, Codable { case secrets, credential }

    /// Mount path with a trailing slash, without `auth/` for auth mounts (`azure/`).
    public var path: String
    public var type: String
    public var kind: Kind
    public var description: String
    public var accessor: String
    public var uuid: String
    public var local: Bool
    public var sealWrap: Bool
    public var externalEntropyAccess: Bool
    public var options: [String: String]?
    public var config: MountConfig
    public var pluginVersion: String

    public init(
        path: String, type: String, kind: Kind, description: String = "", accessor: String, uuid: String,
        local: Bool = false, sealWrap: Bool = false, options: [String: String]? = nil,
        config: MountConfig = MountConfig()
    ) {
        self.path = path
        self.type = type
        self.kind = kind
        self.description = description
        self.accessor = accessor
        self.uuid = uuid
        self.local = local
        self.sealWrap = sealWrap
        self.externalEntropyAccess = false
        self.options = options
        self.config = config
        self.pluginVersion = ""
    }

    /// The prefix requests are routed by: `auth/azure/` or `secret/`.
    public var routePrefix: String { kind == .credential ? "auth/" + path : path }

    /// Where the mount's data lives in barrier storage.
    public var storagePrefix: String { (kind == .credential ? "auth/" : "logical/") + uuid + "/" }

    /// The mount info object Vault returns in listings (docs/system.md § The mount info object).
    public func info() -> [String: JSONValue] {
        var configObject: [String: JSONValue] = [
            "default_lease_ttl": .int(config.defaultLeaseTTL),
            "max_lease_ttl": .int(config.maxLeaseTTL),
            "force_no_cache": .bool(config.forceNoCache),
        ]
        if kind == .credential { configObject["token_type"] = .string(config.tokenType.rawValue) }
        if !config.listingVisibility.isEmpty { configObject["listing_visibility"] = .string(config.listingVisibility) }
        if !config.auditNonHMACRequestKeys.isEmpty {
            configObject["audit_non_hmac_request_keys"] = .strings(config.auditNonHMACRequestKeys)
        }
        if !config.auditNonHMACResponseKeys.isEmpty {
            configObject["audit_non_hmac_response_keys"] = .strings(config.auditNonHMACResponseKeys)
        }
        if !config.passthroughRequestHeaders.isEmpty {
            configObject["passthrough_request_headers"] = .strings(config.passthroughRequestHeaders)
        }
        if !config.allowedResponseHeaders.isEmpty {
            configObject["allowed_response_headers"] = .strings(config.allowedResponseHeaders)
        }
        return [
            "type": .string(type),
            "description": .string(description),
            "accessor": .string(accessor),
            "local": .bool(local),
            "seal_wrap": .bool(sealWrap),
            "external_entropy_access": .bool(externalEntropyAccess),
            "options": .stringMap(options),
            "uuid": .string(uuid),
            "plugin_version": .string(pluginVersion),
            "running_plugin_version": .string("v\(CofferVersion.string)+builtin.coffer"),
            "running_sha256": "",
            "config": .object(configObject),
        ]
    }
}
