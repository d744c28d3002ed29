/// A stanza of a configuration file (`listener "tcp" { … }`, `telemetry { … }`): its keys and nested
/// stanzas, each declared once. Reading refuses every key it does not declare, at every level, with the
/// file, line and the key's full path; keys Vault has but Coffer does not act on are refused as such.
///
/// ```swift
/// let tcp = ConfigSection<ListenerConfiguration>(name: "listener", label: "tcp", doc: "…", keys: [...])
/// var listener = ListenerConfiguration()
/// try tcp.read(entries, into: &listener, path: "listener.tcp", line: 4, file: "config.hcl")
/// // config.hcl:7: unknown key "listener.tcp.adress"
/// print(tcp.helpRows(defaults: ListenerConfiguration()))   // listener "tcp".address …
/// ```
public struct ConfigSection<Root> {
    public let name: String
    /// The block's label in HCL (`"tcp"` of `listener "tcp"`), part of its path.
    public let label: String?
    public let doc: String
    public let keys: [ConfigKey<Root>]
    public let sections: [ConfigSection<Root>]
    /// Keys Vault accepts here that Coffer does not implement: refused by name rather than ignored. An entry
    /// ending in `*` covers every key with that prefix.
    public let unsupported: Set<String>
    /// Runs when the stanza is present, even empty (a `telemetry {}` stanza turns telemetry on).
    let enter: (inout Root) -> Void

    public init(
        name: String, label: String? = nil, doc: String, keys: [ConfigKey<Root>],
        sections: [ConfigSection<Root>] = [], unsupported: Set<String> = [],
        enter: @escaping (inout Root) -> Void = { _ in }
    ) {
        self.name = name
        self.label = label
        self.doc = doc
        self.keys = keys
        self.sections = sections
        self.unsupported = unsupported
        self.enter = enter
    }

    /// A name of ``unsupported``, or under one of its `prefix*` entries (`circonus_*`).
    private func isUnsupported(_ key: String) -> Bool {
        unsupported.contains(key) || unsupported.contains { $0.hasSuffix("*") && key.hasPrefix($0.dropLast()) }
    }

    /// The stanza as the help table names it: `listener "tcp"`, `telemetry`.
    public var helpName: String { label.map { "\(name) \"\($0)\"" } ?? name }

    /// Reads a stanza's entries (later ones win) into `root`. `path` is the stanza's dotted path (empty at
    /// the top level); `line` is where the stanza starts, for a missing required key.
    public func read(
        _ entries: [ConfigEntry], into root: inout Root, path: String, line: Int, file: String
    ) throws(ConfigurationError) {
        enter(&root)
        let prefix = path.isEmpty ? "" : path + "."
        for entry in entries {
            let keyPath = prefix + entry.key
            if let key = keys.first(where: { $0.name == entry.key }) {
                if let refusal = key.apply(&root, entry.value, keyPath) {
                    throw ConfigurationError("\(file):\(entry.value.line): \(refusal)")
                }
            } else if let section = sections.first(where: { $0.name == entry.key }) {
                for body in try Self.bodies(of: entry, path: keyPath, file: file) {
                    try section.read(body.entries, into: &root, path: keyPath, line: body.line, file: file)
                }
            } else if isUnsupported(entry.key) {
                throw ConfigurationError("\(file):\(entry.line): \"\(keyPath)\" is not supported by Coffer")
            } else {
                throw ConfigurationError("\(file):\(entry.line): unknown key \"\(keyPath)\"")
            }
        }
        let present = Set(entries.map(\.key))
        if let missing = keys.first(where: { $0.isRequired && !present.contains($0.name) }) {
            throw ConfigurationError("\(file):\(line): \(prefix)\(missing.name) is required")
        }
    }

    /// The bodies of an unlabelled stanza: `telemetry { … }` in HCL, `"telemetry": {…}` or `[{…}]` in JSON.
    static func bodies(of entry: ConfigEntry, path: String, file: String) throws(ConfigurationError) -> [(
        entries: [ConfigEntry], line: Int
    )] {
        switch entry.value.kind {
        case .object(let entries): return [(entries, entry.value.line)]
        case .list(let items):
            var bodies: [(entries: [ConfigEntry], line: Int)] = []
            for item in items {
                guard case .object(let entries) = item.kind else {
                    throw ConfigurationError("\(file):\(item.line): \"\(path)\" must be a block, not \(item.shapeName)")
                }
                bodies.append((entries, item.line))
            }
            return bodies
        default:
            throw ConfigurationError(
                "\(file):\(entry.line): \"\(path)\" must be a block, not \(entry.value.shapeName)")
        }
    }

    /// One row per stanza and key, nested stanzas first, with the HCL path, type, default (from `defaults`)
    /// and doc.
    public func helpRows(defaults: Root, prefix: String = "") -> [ConfigHelpRow] {
        var rows: [ConfigHelpRow] = []
        for section in sections {
            rows.append(
                ConfigHelpRow(path: prefix + section.helpName, type: "block", defaultValue: "—", doc: section.doc))
            rows += section.helpRows(defaults: defaults, prefix: prefix + section.helpName + ".")
        }
        return rows
            + keys.map { key in
                ConfigHelpRow(
                    path: prefix + key.name, type: key.typeName, defaultValue: key.show(defaults), doc: key.doc)
            }
    }
}
