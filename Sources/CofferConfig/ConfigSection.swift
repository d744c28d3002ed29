import CofferJSON

/// A JSON object of a configuration file: its keys and nested sections, each declared once. Reading refuses
/// every key it does not declare, at every level, naming the key's full path.
///
/// ```swift
/// let schema = ConfigSection<ServerConfiguration>(name: "", doc: "", keys: [...],
///     sections: [ConfigSection(name: "listener", doc: "the HTTP listener", keys: [...])])
/// var config = ServerConfiguration()
/// try schema.read(object, into: &config)     // unknown configuration key "listener.adress"
/// print(schema.helpRows(defaults: ServerConfiguration()))
/// ```
public struct ConfigSection<Root> {
    public let name: String
    public let doc: String
    /// When set, leaving the section out is refused with this message.
    public let requiredMessage: String?
    public let keys: [ConfigKey<Root>]
    public let sections: [ConfigSection<Root>]

    public init(
        name: String, doc: String, requiredMessage: String? = nil, keys: [ConfigKey<Root>],
        sections: [ConfigSection<Root>] = []
    ) {
        self.name = name
        self.doc = doc
        self.requiredMessage = requiredMessage
        self.keys = keys
        self.sections = sections
    }

    /// Reads `object` into `root`: unknown keys first (in sorted order, so the message is stable), then the
    /// declared keys and sections in declaration order. `prefix` is this section's path with a trailing dot.
    public func read(_ object: [String: JSONValue], into root: inout Root, prefix: String = "")
        throws(ConfigurationError)
    {
        let known = Set(keys.map(\.name) + sections.map(\.name))
        for key in object.keys.sorted() where !known.contains(key) {
            throw ConfigurationError("unknown configuration key \"\(prefix)\(key)\"")
        }
        for key in keys {
            if let value = object[key.name] {
                try key.apply(&root, value, prefix + key.name)
            } else if key.isRequired {
                throw ConfigurationError("\(prefix)\(key.name) is required")
            }
        }
        for section in sections {
            let path = prefix + section.name
            guard let value = object[section.name] else {
                if let message = section.requiredMessage { throw ConfigurationError(message) }
                continue
            }
            guard let nested = value.objectValue else { throw ConfigurationError("\"\(path)\" must be an object") }
            try section.read(nested, into: &root, prefix: path + ".")
        }
    }

    /// One row per key, nested sections first, with the key's full path, type name, default (from `defaults`) and doc.
    public func helpRows(defaults: Root, prefix: String = "") -> [ConfigHelpRow] {
        var rows: [ConfigHelpRow] = []
        for section in sections {
            rows.append(
                ConfigHelpRow(
                    path: prefix + section.name, type: "object",
                    defaultValue: section.requiredMessage == nil ? "—" : "required", doc: section.doc))
            rows += section.helpRows(defaults: defaults, prefix: prefix + section.name + ".")
        }
        return rows
            + keys.map { key in
                ConfigHelpRow(
                    path: prefix + key.name, type: key.typeName, defaultValue: key.show(defaults), doc: key.doc)
            }
    }
}
