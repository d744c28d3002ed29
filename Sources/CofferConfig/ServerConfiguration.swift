import Foundation

/// The configuration of a persistent server (`coffer server -config=<file or directory> …`), in Vault's
/// format: HCL or JSON, several files merged as Vault merges them (docs/configuration.md). Every key is
/// declared once in ``schema`` and the stanza declarations beside it, with its type and doc; its default is
/// the value this struct starts with; unknown keys and bad values are refused with file, line and key; and
/// `coffer server -help` prints the same table.
///
/// ```swift
/// let config = try ServerConfiguration.load(paths: ["/etc/coffer/config.hcl", "/etc/coffer/conf.d"])
/// print(ConfigHelpRow.listing(ServerConfiguration.helpRows))
/// ```
/// ```hcl
/// storage "sqlite" { path = "/var/lib/coffer/coffer.db" }
/// listener "tcp" {
///   address       = "0.0.0.0:8200"
///   tls_cert_file = "/etc/coffer/tls/server.pem"
///   tls_key_file  = "/etc/coffer/tls/server-key.pem"
/// }
/// api_addr = "https://coffer.example.com:8200"
/// ```
public struct ServerConfiguration: Sendable, Equatable {
    /// Every `listener "tcp"` stanza, in file order; never empty.
    public var listeners = [ListenerConfiguration()]
    /// `sqlite`, `postgresql` or `inmem`.
    public var storageType = "sqlite"
    public var storagePath = ""
    /// `storage "postgresql"`'s keys (used when ``storageType`` is `postgresql`).
    public var postgresql = PostgreSQLStorageConfiguration()
    /// `nil` when the file has no `seal` stanza: the server uses the Shamir seal (`sys/init`, `sys/unseal`).
    /// `"static"`: a key file unseals it on start (auto-unseal, with recovery keys).
    public var sealType: String? = "static"
    public var sealKeyFile: String?
    /// The environment variable holding the seal key when ``sealKeyFile`` is not set.
    public var sealKeyEnv = "COFFER_SEAL_KEY"
    public var defaultLeaseTTL: Int64 = 2_764_800
    public var maxLeaseTTL: Int64 = 2_764_800
    /// `trace`, `debug`, `info`, `warn` or `error`.
    public var logLevel = "info"
    /// `standard` or `json` (a file's `text`, Coffer's earlier name, reads as `standard`).
    public var logFormat = "standard"
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
    /// Entries of the read cache in front of storage (Vault's `cache_size`); a quarter of it bounds the token
    /// entry cache. 0 means the default.
    public var cacheSize = ServerConfiguration.defaultCacheSize
    /// Vault's `disable_cache`: no read cache in front of storage.
    public var disableCache = false
    /// HA standbys redirect clients to the active node instead of forwarding their requests.
    public var disableForwarding = false

    /// Vault's default `cache_size`.
    public static let defaultCacheSize = 131_072
    /// `cache_size`, with 0 read as the default.
    public var effectiveCacheSize: Int { cacheSize == 0 ? Self.defaultCacheSize : cacheSize }

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

    /// The `telemetry` stanza's settings, created on first write (the schema's key paths go through it).
    var telemetryStanza: TelemetryConfiguration {
        get { telemetry ?? TelemetryConfiguration() }
        set { telemetry = newValue }
    }

    /// 32 MiB; `max_request_size = 0` also means this.
    public static let defaultMaxRequestSize = 32 << 20
    /// Larger configuration files are refused unread: no real one comes near it.
    public static let maxFileSize = 4 << 20

    public init() {}

    /// Reads one configuration file or directory.
    public static func load(path: String) throws(ConfigurationError) -> ServerConfiguration {
        try load(paths: [path])
    }

    /// Reads every path in order, a directory standing for its `*.hcl` and `*.json` files in name order, and
    /// merges them (later scalars win, listeners accumulate, one storage stanza in all).
    public static func load(paths: [String]) throws(ConfigurationError) -> ServerConfiguration {
        guard !paths.isEmpty else { throw ConfigurationError("at least one configuration file is required") }
        var files: [(name: String, bytes: [UInt8])] = []
        for path in paths {
            for file in try expand(path) { files.append((file, try contents(of: file))) }
        }
        return try parse(files)
    }

    /// Parses one file's text; `file` names it in errors and decides the syntax (`.json`, else HCL unless
    /// the text starts with `{`).
    public static func parse(_ text: String, file: String = "config.hcl") throws(ConfigurationError)
        -> ServerConfiguration
    {
        try parse([(file, Array(text.utf8))])
    }

    /// Parses and merges files given as (name, bytes), then runs the checks that span keys and files.
    public static func parse(_ files: [(name: String, bytes: [UInt8])]) throws(ConfigurationError)
        -> ServerConfiguration
    {
        var reader = ConfigFileReader()
        for file in files {
            let root = try syntaxTree(file.bytes, file: file.name)
            try reader.read(root, file: file.name)
        }
        return try reader.finish(files: files.map(\.name))
    }

    static func syntaxTree(_ bytes: [UInt8], file: String) throws(ConfigurationError) -> ConfigValue {
        let isJSON =
            file.hasSuffix(".json")
            || (!file.hasSuffix(".hcl") && bytes.first { ![0x20, 0x09, 0x0A, 0x0D].contains($0) } == UInt8(ascii: "{"))
        if isJSON {
            var parser = JSONConfigParser(bytes: bytes, file: file)
            let root = try parser.parseDocument()
            try LegacyConfiguration.refuse(root, file: file)
            return root
        }
        var parser = HCLConfigParser(bytes: bytes, file: file)
        return try parser.parseDocument()
    }

    /// A directory's `*.hcl` and `*.json` files in name order (not its subdirectories); a file as itself.
    static func expand(_ path: String) throws(ConfigurationError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ConfigurationError("cannot read configuration file \(path)")
        }
        guard isDirectory.boolValue else { return [path] }
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            throw ConfigurationError("cannot read configuration directory \(path)")
        }
        let directory = path.hasSuffix("/") ? path : path + "/"
        let files = names.filter { $0.hasSuffix(".hcl") || $0.hasSuffix(".json") }.sorted().map { directory + $0 }
            .filter { file in
                var nested: ObjCBool = false
                return FileManager.default.fileExists(atPath: file, isDirectory: &nested) && !nested.boolValue
            }
        guard !files.isEmpty else {
            throw ConfigurationError("configuration directory \(path) has no .hcl or .json files")
        }
        return files
    }

    private static func contents(of path: String) throws(ConfigurationError) -> [UInt8] {
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        guard size <= maxFileSize else { throw ConfigurationError("configuration file \(path) is larger than 4 MiB") }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError("cannot read configuration file \(path)")
        }
        let bytes = Array(data)
        if bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            throw ConfigurationError("configuration file \(path) is empty")
        }
        return bytes
    }

    /// `VAULT_API_ADDR`, `VAULT_CLUSTER_ADDR` and `VAULT_DISABLE_MLOCK` win over the file, as in Vault.
    public mutating func applyEnvironment(_ environment: [String: String]) throws(ConfigurationError) {
        typealias Variable = ServerEnvironmentVariable
        if let address = Variable.apiAddress.value(in: environment) { apiAddress = address }
        if let address = Variable.clusterAddress.value(in: environment) { clusterAddress = address }
        if let text = Variable.disableMlock.value(in: environment) {
            guard let flag = ConfigType.bool.read(ConfigValue(.string(text), line: 0)) else {
                throw ConfigurationError("\(Variable.disableMlock.name) must be true or false")
            }
            disableMlock = flag
        }
        // The variable stands in for a missing connection_url (the file's value wins), so the password can stay out
        // of the file (docs/configuration.md).
        if storageType == "postgresql", postgresql.connectionURL == nil {
            postgresql.connectionURL = Variable.postgresConnectionURL.value(in: environment)
            guard postgresql.connectionURL != nil else {
                throw ConfigurationError(
                    "storage \"postgresql\" needs connection_url (or the \(Variable.postgresConnectionURL.name) "
                        + "environment variable)")
            }
        }
    }
}
