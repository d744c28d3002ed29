/// Reads the syntax trees of one or more configuration files into one ``ServerConfiguration``, merging as
/// Vault does: a later file's scalars win, `listener` stanzas accumulate, and there is one `storage` stanza
/// across all files. The checks that span keys run in ``finish(files:)``, naming where the keys were set.
///
/// ```swift
/// var reader = ConfigFileReader()
/// try reader.read(firstTree, file: "base.hcl")
/// try reader.read(secondTree, file: "listeners.hcl")
/// let config = try reader.finish(files: ["base.hcl", "listeners.hcl"])
/// ```
struct ConfigFileReader {
    private var config = ServerConfiguration()
    /// `file:line` of the storage stanza, to name both places when a second one appears.
    private var storageOrigin: String?
    /// `file:line` of each top-level key as last set.
    private var origins: [String: String] = [:]

    init() {
        config.listeners = []
        config.sealType = nil
    }

    mutating func read(_ root: ConfigValue, file: String) throws(ConfigurationError) {
        guard case .object(let entries) = root.kind else {
            throw ConfigurationError("\(file):\(root.line): the configuration must be an object")
        }
        var scalars: [ConfigEntry] = []
        for entry in entries {
            switch entry.key {
            case "storage": try readStorage(entry, file: file)
            case "listener": try readListeners(entry, file: file)
            case "seal": try readSeal(entry, file: file)
            default:
                scalars.append(entry)
                origins[entry.key] = "\(file):\(entry.line)"
            }
        }
        try ServerConfiguration.schema.read(scalars, into: &config, path: "", line: root.line, file: file)
    }

    func finish(files: [String]) throws(ConfigurationError) -> ServerConfiguration {
        let named = files.joined(separator: ", ")
        guard storageOrigin != nil else {
            throw ConfigurationError("no storage stanza in \(named): add storage \"sqlite\" { path = \"…\" }")
        }
        guard !config.listeners.isEmpty else {
            throw ConfigurationError(
                "no listener stanza in \(named): add listener \"tcp\" { address = \"127.0.0.1:8200\" … }")
        }
        if config.defaultLeaseTTL > config.maxLeaseTTL {
            let origin = origins["default_lease_ttl"] ?? origins["max_lease_ttl"] ?? named
            throw ConfigurationError(
                "\(origin): default_lease_ttl (\(config.defaultLeaseTTL)s) cannot be greater than max_lease_ttl "
                    + "(\(config.maxLeaseTTL)s)")
        }
        return config
    }

    private mutating func readStorage(_ entry: ConfigEntry, file: String) throws(ConfigurationError) {
        for block in try Self.blocks(of: entry, file: file, example: "storage \"sqlite\" { path = \"…\" }") {
            let here = "\(file):\(block.line)"
            if let first = storageOrigin {
                throw ConfigurationError(
                    "\(here): a second storage stanza (storage \"\(block.label)\"); the first is at \(first), and "
                        + "Coffer takes exactly one across all configuration files")
            }
            let section: ConfigSection<ServerConfiguration>
            switch block.label {
            case "sqlite": section = ServerConfiguration.sqliteStorage
            case "postgresql": section = ServerConfiguration.postgresqlStorage
            case "inmem": section = ServerConfiguration.inmemStorage
            default:
                throw ConfigurationError(
                    "\(here): storage \"\(block.label)\" is not supported by Coffer (use \"sqlite\", \"postgresql\" or \"inmem\")")
            }
            storageOrigin = here
            config.storageType = block.label
            config.storagePath = ""
            config.postgresql = PostgreSQLStorageConfiguration()
            try section.read(
                block.entries, into: &config, path: "storage.\(block.label)", line: block.line, file: file)
        }
    }

    private mutating func readListeners(_ entry: ConfigEntry, file: String) throws(ConfigurationError) {
        let example = "listener \"tcp\" { address = \"127.0.0.1:8200\" … }"
        for block in try Self.blocks(of: entry, file: file, example: example) {
            guard block.label == "tcp" else {
                throw ConfigurationError(
                    "\(file):\(block.line): listener \"\(block.label)\" is not supported by Coffer (only \"tcp\")")
            }
            var listener = ListenerConfiguration()
            try ListenerConfiguration.tcpSchema.read(
                block.entries, into: &listener, path: "listener.tcp", line: block.line, file: file)
            try Self.checkTLS(listener, at: "\(file):\(block.line)")
            config.listeners.append(listener)
        }
    }

    private mutating func readSeal(_ entry: ConfigEntry, file: String) throws(ConfigurationError) {
        for block in try Self.blocks(of: entry, file: file, example: "seal \"static\" { key_file = \"…\" }") {
            guard block.label == "static" else {
                throw ConfigurationError(
                    "\(file):\(block.line): seal \"\(block.label)\" is not supported by Coffer: use seal \"static\" "
                        + "{ key_file = \"…\" }, or no seal stanza for Shamir unseal keys")
            }
            config.sealType = "static"
            try ServerConfiguration.staticSeal.read(
                block.entries, into: &config, path: "seal.static", line: block.line, file: file)
        }
    }

    /// As in Vault, TLS is on unless `tls_disable` says otherwise, and then it needs its two files.
    static func checkTLS(_ listener: ListenerConfiguration, at origin: String) throws(ConfigurationError) {
        guard !listener.tlsDisable else { return }
        let missing = [("tls_cert_file", listener.tlsCertFile), ("tls_key_file", listener.tlsKeyFile)]
            .filter { $0.1?.isEmpty ?? true }.map(\.0)
        if !missing.isEmpty {
            throw ConfigurationError(
                "\(origin): listener.tcp has TLS on but no \(missing.joined(separator: " or ")): set tls_cert_file "
                    + "and tls_key_file, or tls_disable = true to serve plain HTTP")
        }
        if listener.tlsDisableClientCerts && listener.tlsRequireAndVerifyClientCert {
            throw ConfigurationError(
                "\(origin): 'tls_disable_client_certs' and 'tls_require_and_verify_client_cert' are mutually exclusive")
        }
    }

    /// The labelled blocks of `key`: `key "label" { … }` in HCL; `{"label": {…}}`, `{"label": [{…}]}` or a list
    /// of those in JSON.
    static func blocks(of entry: ConfigEntry, file: String, example: String) throws(ConfigurationError) -> [(
        label: String, entries: [ConfigEntry], line: Int
    )] {
        let objects: [(entries: [ConfigEntry], line: Int)]
        switch entry.value.kind {
        case .object(let entries): objects = [(entries, entry.line)]
        case .list:
            objects = try ConfigSection<ServerConfiguration>.bodies(of: entry, path: entry.key, file: file)
        default:
            throw ConfigurationError("\(file):\(entry.line): \"\(entry.key)\" must be a block: \(example)")
        }
        var blocks: [(label: String, entries: [ConfigEntry], line: Int)] = []
        for object in objects {
            for labelled in object.entries {
                guard labelled.value.isBlock else {
                    throw ConfigurationError(
                        "\(file):\(labelled.line): \(entry.key) needs its type as a label: \(example)")
                }
                let path = "\(entry.key).\(labelled.key)"
                for body in try ConfigSection<ServerConfiguration>.bodies(of: labelled, path: path, file: file) {
                    blocks.append((labelled.key, body.entries, body.line))
                }
            }
        }
        return blocks
    }
}

extension ConfigValue {
    /// An object, or a list of objects only (JSON's `"tcp": [{…}, {…}]`).
    fileprivate var isBlock: Bool {
        switch kind {
        case .object: true
        case .list(let items): items.allSatisfy { if case .object = $0.kind { true } else { false } }
        default: false
        }
    }
}
