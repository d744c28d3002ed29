/// An environment variable `coffer server` reads, declared once for ``ServerLaunch`` and for the help text.
///
/// ```swift
/// ServerEnvironmentVariable.logLevel.value(in: ["VAULT_LOG_LEVEL": "debug"])   // "debug"
/// ```
public struct ServerEnvironmentVariable: Sendable, Equatable {
    public let name: String
    /// The flag that wins over the variable, or the configuration key it stands in for.
    public let overrides: String
    public let doc: String

    /// The variable's value; an empty value counts as unset, as `vault` treats it.
    public func value(in environment: [String: String]) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    public static let devRootTokenID = ServerEnvironmentVariable(
        name: "VAULT_DEV_ROOT_TOKEN_ID", overrides: "-dev-root-token-id", doc: "the dev root token (random when unset)")
    public static let devListenAddress = ServerEnvironmentVariable(
        name: "VAULT_DEV_LISTEN_ADDRESS", overrides: "-dev-listen-address",
        doc: "the dev listener (default 127.0.0.1:8200)")
    public static let logLevel = ServerEnvironmentVariable(
        name: "VAULT_LOG_LEVEL", overrides: "-log-level", doc: "wins over log_level in the configuration")
    public static let logFormat = ServerEnvironmentVariable(
        name: "VAULT_LOG_FORMAT", overrides: "-log-format", doc: "wins over log_format in the configuration")
    public static let apiAddress = ServerEnvironmentVariable(
        name: "VAULT_API_ADDR", overrides: "api_addr", doc: "wins over api_addr in the configuration")
    public static let clusterAddress = ServerEnvironmentVariable(
        name: "VAULT_CLUSTER_ADDR", overrides: "cluster_addr", doc: "wins over cluster_addr in the configuration")
    public static let disableMlock = ServerEnvironmentVariable(
        name: "VAULT_DISABLE_MLOCK", overrides: "disable_mlock", doc: "wins over disable_mlock (true or false)")

    public static let postgresConnectionURL = ServerEnvironmentVariable(
        name: "COFFER_PG_CONNECTION_URL", overrides: "storage \"postgresql\".connection_url",
        doc: "connection_url when the postgresql stanza has none (never logged)")

    /// Every variable, in the order `coffer server -help` lists them (the seal key's variable is named by
    /// `seal "static".key_env`, default `COFFER_SEAL_KEY`).
    public static let all: [ServerEnvironmentVariable] = [
        devRootTokenID, devListenAddress, logLevel, logFormat, apiAddress, clusterAddress, disableMlock,
        postgresConnectionURL,
    ]
}
