import CofferJSON
import Foundation

/// The JSON configuration file of a persistent server (`coffer server -config=<file>`), read by the typed
/// reader in ``schema``: every key is declared there once with its type and doc, its default is the value this
/// struct starts with, unknown keys are refused at every level, and `coffer server -help` prints the same table.
///
/// ```swift
/// let config = try ServerConfiguration.load(path: "/etc/coffer.json")
/// print(ConfigHelpRow.listing(ServerConfiguration.helpRows))
/// ```
/// ```json
/// {
///   "listener": {"address": "127.0.0.1:8200", "max_request_size": 33554432},
///   "storage": {"type": "sqlite", "path": "/var/lib/coffer/coffer.db"},
///   "seal": {"type": "static", "key_file": "/etc/coffer/seal.key"},
///   "default_lease_ttl": "768h", "max_lease_ttl": "768h", "log_level": "info", "log_format": "text"
/// }
/// ```
public struct ServerConfiguration: Sendable, Equatable {
    /// Every `listener "tcp"` stanza, in file order; never empty.
    public var listeners = [ListenerConfiguration()]
    public var storageType = "sqlite"
    public var storagePath = ""
    /// `nil` when the file has no `seal` stanza: the server uses the Shamir seal (`sys/init`, `sys/unseal`).
    /// `"static"`: a key file unseals it on start (auto-unseal, with recovery keys).
    public var sealType: String? = "static"
    public var sealKeyFile: String?
    /// The environment variable holding the seal key when ``sealKeyFile`` is not set.
    public var sealKeyEnv = "COFFER_SEAL_KEY"
    public var defaultLeaseTTL: Int64 = 2_764_800
    public var maxLeaseTTL: Int64 = 2_764_800
    public var logLevel = "info"
    public var logFormat = "text"
    /// `nil` without a `telemetry` stanza (the Prometheus format of `sys/metrics` is then refused).
    public var telemetry: TelemetryConfiguration?
    /// This server's address as clients should reach it (Vault's `api_addr`; `VAULT_API_ADDR` wins).
    public var apiAddress: String?
    public var clusterAddress: String?
    /// `nil` = generated at first unseal (`vault-cluster-<8 hex>`).
    public var clusterName: String?
    public var disableMlock = false
    /// Seconds SIGTERM waits for requests in flight before closing them.
    public var shutdownGracePeriod: Int64 = 10

    /// The first listener's settings (the one `-dev` and single-listener files use).
    public var address: String {
        get { listeners.first?.address ?? ListenerConfiguration().address }
        set { updateFirstListener { $0.address = newValue } }
    }
    public var maxRequestSize: Int {
        get { listeners.first?.maxRequestSize ?? ServerConfiguration.defaultMaxRequestSize }
        set { updateFirstListener { $0.maxRequestSize = newValue } }
    }
    public var maxConnections: Int {
        get { listeners.first?.maxConnections ?? ListenerConfiguration().maxConnections }
        set { updateFirstListener { $0.maxConnections = newValue } }
    }
    public var readHeaderTimeout: Int64 {
        get { listeners.first?.readHeaderTimeout ?? ListenerConfiguration().readHeaderTimeout }
        set { updateFirstListener { $0.readHeaderTimeout = newValue } }
    }

    private mutating func updateFirstListener(_ change: (inout ListenerConfiguration) -> Void) {
        if listeners.isEmpty { listeners = [ListenerConfiguration()] }
        change(&listeners[0])
    }

    /// 32 MiB; `listener.max_request_size: 0` also means this.
    public static let defaultMaxRequestSize = 32 << 20

    public init() {}

    public static func load(path: String) throws(ConfigurationError) -> ServerConfiguration {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read configuration file \(path)")
        }
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            throw ConfigurationError("configuration file \(path) is empty")
        }
        let parsed: JSONValue
        do {
            parsed = try JSONParser.parse(Array(bytes))
        } catch {
            throw ConfigurationError("configuration file \(path) is not a JSON object")
        }
        switch parsed {
        case .object(let root): return try parse(root)
        case .null: throw ConfigurationError("configuration file \(path) is empty")
        default: throw ConfigurationError("configuration file \(path) is not a JSON object")
        }
    }

    /// Reads a parsed configuration object; the checks that span keys run after every key is read.
    public static func parse(_ root: [String: JSONValue]) throws(ConfigurationError) -> ServerConfiguration {
        var config = ServerConfiguration()
        try schema.read(root, into: &config)
        if config.defaultLeaseTTL > config.maxLeaseTTL {
            throw ConfigurationError("default_lease_ttl cannot be greater than max_lease_ttl")
        }
        return config
    }

    /// The configuration reference: one row per key with its full path, type, default and doc.
    public static var helpRows: [ConfigHelpRow] { schema.helpRows(defaults: ServerConfiguration()) }

    /// Every key of the file, declared once.
    public static var schema: ConfigSection<ServerConfiguration> {
        ConfigSection(
            name: "", doc: "",
            keys: [
                .field(
                    "default_lease_ttl", .duration, \.defaultLeaseTTL, doc: "system default TTL for tokens",
                    requirement: "greater than zero", check: positive),
                .field(
                    "max_lease_ttl", .duration, \.maxLeaseTTL, doc: "system maximum TTL",
                    requirement: "greater than zero", check: positive),
                .field(
                    "log_level", .string, \.logLevel, doc: "trace, debug, info, warn or error (VAULT_LOG_LEVEL wins)"),
                .field(
                    "log_format", .choice(["text", "json"]), \.logFormat,
                    doc: "json writes one JSON object per line (VAULT_LOG_FORMAT wins)"),
            ],
            sections: [listener, storage, seal])
    }

    static var listener: ConfigSection<ServerConfiguration> {
        ConfigSection(
            name: "listener", doc: "the HTTP listener",
            keys: [
                .field("address", .hostPort, \.address, doc: "where the HTTP API listens"),
                .field(
                    "max_request_size", .integer, \.maxRequestSize,
                    doc: "larger bodies get 413; -1 disables the limit, 0 means the default",
                    requirement: "of -1 or more",
                    check: { $0 < -1 ? nil : ($0 == 0 ? defaultMaxRequestSize : $0) }),
                .field(
                    "max_connections", .integer, \.maxConnections,
                    doc: "open connections at once; one past the cap is closed when accepted",
                    requirement: "between 1 and 1000000", check: { (1...1_000_000).contains($0) ? $0 : nil }),
                .field(
                    "http_read_header_timeout", .duration, \.readHeaderTimeout,
                    doc: "a request head must arrive within this; slower senders are cut off",
                    requirement: "from 1s to 1h", check: { (1...3600).contains($0) ? $0 : nil }),
            ])
    }

    static var storage: ConfigSection<ServerConfiguration> {
        ConfigSection(
            name: "storage", doc: "where the encrypted data lives",
            requiredMessage: "\"storage\" is required: {\"type\": \"sqlite\", \"path\": \"…\"}",
            keys: [
                .field("type", .choice(["sqlite"]), \.storageType, doc: "the only persistent backend today"),
                .field(
                    "path", .path, \.storagePath,
                    doc: "SQLite database file (WAL mode, synchronous=FULL; created with mode 0600)",
                    required: true, requirement: "that is not empty", check: { $0.isEmpty ? nil : $0 }),
            ])
    }

    static var seal: ConfigSection<ServerConfiguration> {
        ConfigSection(
            name: "seal", doc: "what unlocks the keyring at start",
            keys: [
                .field("type", .choice(["static"]), \.staticSealType, doc: "a static 256-bit key"),
                .field(
                    "key_file", .optionalPath, \.sealKeyFile,
                    doc: "key file, base64 or hex; refused if group or others can read it"),
                .field(
                    "key_env", .string, \.sealKeyEnv, doc: "environment variable holding the key when key_file is unset"
                ),
            ])
    }

    /// The JSON form names only the static seal; the Shamir seal is the absence of a `seal` stanza.
    private var staticSealType: String {
        get { sealType ?? "static" }
        set { sealType = newValue }
    }

    private static func positive(_ seconds: Int64) -> Int64? { seconds > 0 ? seconds : nil }
}
