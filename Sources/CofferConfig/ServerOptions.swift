/// What `coffer server` was given on its command line, before any environment fallback; ``ServerLaunch``
/// resolves it.
///
/// ```swift
/// var options = ServerOptions()
/// options.dev = true
/// options.devRootTokenID = "root"
/// let launch = try ServerLaunch.resolve(options, environment: ProcessInfo.processInfo.environment)
/// ```
public struct ServerOptions: Sendable, Equatable {
    /// `-dev`: in-memory storage, unsealed, KV v2 at `secret/`.
    public var dev = false
    /// `-dev-root-token-id`.
    public var devRootTokenID: String?
    /// `-dev-listen-address`.
    public var devListenAddress: String?
    /// Every `-config=<file or directory>`, in order: the configuration of a persistent server, merged.
    public var configPaths: [String] = []
    /// `-log-level` (trace, debug, info, warn, error).
    public var logLevel: String?
    /// `-log-format` (text, json).
    public var logFormat: String?

    public init() {}
}
