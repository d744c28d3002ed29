/// Everything `coffer server` takes from its flags and environment.
///
/// ```swift
/// var options = ServerOptions()
/// options.dev = true
/// options.devRootTokenID = "root"
/// try await CofferServer.run(options)
/// ```
public struct ServerOptions: Sendable {
    /// `-dev`: in-memory storage, unsealed, KV v2 at `secret/`.
    public var dev = false
    /// `-dev-root-token-id` / `VAULT_DEV_ROOT_TOKEN_ID`.
    public var devRootTokenID: String?
    /// `-dev-listen-address` / `VAULT_DEV_LISTEN_ADDRESS`, default `127.0.0.1:8200`.
    public var devListenAddress: String?
    /// `-config=<file>`: JSON configuration for a persistent server.
    public var configPath: String?
    /// `-log-level` (trace, debug, info, warn, error) / `VAULT_LOG_LEVEL`.
    public var logLevel: String?
    /// `-log-format` (text, json).
    public var logFormat: String?

    public init() {}
}
