import CofferStorage

/// Whether a backend is a secrets engine or an auth method.
public enum BackendKind: Sendable {
    case secrets
    case credential
}

/// A backend mounted in the router: the core calls it with requests relative to its mount.
///
/// Most backends are a ``FrameworkBackend`` (a table of paths); the protocol exists so the
/// core's own system and token backends can share the router.
public protocol LogicalBackend: Sendable {
    var kind: BackendKind { get }
    /// Handles the request; `nil` means an empty success (204).
    func handle(_ request: LogicalRequest) async throws -> LogicalResponse?
    /// `true`/`false` when the path defines an existence check (decides create vs update),
    /// `nil` when it has none (writes are then always updates).
    func existenceCheck(_ request: LogicalRequest) async throws -> Bool?
    /// Paths (relative to the mount) that need no client token, e.g. `login`.
    func isUnauthenticated(path: String) -> Bool
    /// Paths (relative to the mount) that need `sudo` on the matched ACL rule, e.g. `sys/auth/*`.
    func isSudoRequired(path: String) -> Bool
    /// Called when a token this method issued is renewed; returns the auth with renewed TTLs,
    /// or throws to refuse the renewal.
    func renew(_ auth: Auth, request: LogicalRequest) async throws -> Auth
    /// Called once after mounting and on unseal, with the mount's storage view.
    func initialize(storage: any Storage) async throws
    /// Called when the mount is removed; release caches and tasks.
    func cleanup() async
    /// The answer to `?help=1` on `path`, or nil when the backend has no help.
    func help(for path: String) -> LogicalResponse?
}

extension LogicalBackend {
    public func isUnauthenticated(path: String) -> Bool { false }
    public func isSudoRequired(path: String) -> Bool { false }
    public func renew(_ auth: Auth, request: LogicalRequest) async throws -> Auth {
        throw LogicalError.badRequest("this auth method does not support renewal")
    }
    public func initialize(storage: any Storage) async throws {}
    public func cleanup() async {}
    public func help(for path: String) -> LogicalResponse? { nil }
}

/// Builds a backend for a mount of a given type (the plugin catalog entry).
public struct BackendFactory: Sendable {
    public var type: String
    public var kind: BackendKind
    public var make: @Sendable (BackendConfiguration) async throws -> any LogicalBackend

    public init(
        type: String, kind: BackendKind,
        make: @escaping @Sendable (BackendConfiguration) async throws -> any LogicalBackend
    ) {
        self.type = type
        self.kind = kind
        self.make = make
    }
}

/// What a backend learns about its mount when it is created.
public struct BackendConfiguration: Sendable {
    public var mountPath: String
    public var mountAccessor: String
    public var mountUUID: String
    public var options: [String: String]
    public var storage: any Storage
    /// Mints a plugin identity token (a JWT signed by this server, `sub` naming this mount) for an
    /// audience and TTL in seconds: how a backend proves itself to a cloud without a secret (WIF).
    public var pluginIdentityToken: (@Sendable (_ audience: String, _ ttl: Int64) async throws -> String)?

    public init(
        mountPath: String, mountAccessor: String, mountUUID: String, options: [String: String], storage: any Storage,
        pluginIdentityToken: (@Sendable (_ audience: String, _ ttl: Int64) async throws -> String)? = nil
    ) {
        self.pluginIdentityToken = pluginIdentityToken
        self.mountPath = mountPath
        self.mountAccessor = mountAccessor
        self.mountUUID = mountUUID
        self.options = options
        self.storage = storage
    }
}
