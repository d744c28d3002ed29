import CofferFramework

/// A hand-written JSON form of ``TokenEntry`` (same keys as its `Codable` form): every token create,
/// renewal and cache miss encodes or decodes one, and Foundation's coders were a fifth of a login.
extension TokenEntry {
    /// The stored form, streamed without building a dictionary first. Zeros, empty lists and `false` are left
    /// out (the reader defaults them), as is the auth's metadata when it equals `meta`: every login stores
    /// one of these, and a third of it was defaults and repetition.
    func json() -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        write(to: &writer)
        return writer.bytes
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("idHash", idHash)
        writer.member("accessor", accessor)
        writer.member("policies", policies)
        writer.member("path", path)
        writer.member("displayName", displayName)
        if numUses != 0 { writer.member("numUses", numUses) }
        writer.member("creationTime", creationTime)
        writer.member("ttl", ttl)
        writer.member("creationTTL", creationTTL)
        if explicitMaxTTL != 0 { writer.member("explicitMaxTTL", explicitMaxTTL) }
        if period != 0 { writer.member("period", period) }
        if maxTTL != 0 { writer.member("maxTTL", maxTTL) }
        writer.member("renewable", renewable)
        writer.member("type", type)
        if !boundCIDRs.isEmpty { writer.member("boundCIDRs", boundCIDRs) }
        writer.member("entityID", entityID)
        if createdByID { writer.member("createdByID", createdByID) }
        if let parentHash { writer.member("parentHash", parentHash) }
        if let meta { writer.member("meta", meta) }
        if let role { writer.member("role", role) }
        if let lastRenewalTime { writer.member("lastRenewalTime", lastRenewalTime) }
        if let expireTime { writer.member("expireTime", expireTime) }
        if let authMountAccessor { writer.member("authMountAccessor", authMountAccessor) }
        if let auth {
            writer.key("auth")
            auth.write(to: &writer, metadataIsMeta: auth.metadata == (meta ?? [:]))
        }
        writer.endObject()
    }

    init(json: JSONValue) throws {
        guard let object = json.objectValue else { throw TokenCodingError() }
        let reader = JSONReader(object)
        self.init(
            idHash: try reader.string("idHash"), accessor: try reader.string("accessor"),
            parentHash: reader.optionalString("parentHash"), policies: try reader.strings("policies"),
            path: try reader.string("path"), meta: reader.stringMap("meta"),
            displayName: try reader.string("displayName"),
            numUses: try reader.int("numUses", default: 0), creationTime: try reader.double("creationTime"),
            ttl: try reader.int("ttl"),
            explicitMaxTTL: try reader.int("explicitMaxTTL", default: 0), period: try reader.int("period", default: 0),
            maxTTL: try reader.int("maxTTL", default: 0), renewable: try reader.bool("renewable"),
            type: try reader.string("type"), boundCIDRs: try reader.strings("boundCIDRs", default: []),
            entityID: try reader.string("entityID"))
        creationTTL = try reader.int("creationTTL")
        role = reader.optionalString("role")
        lastRenewalTime = reader.optionalDouble("lastRenewalTime")
        expireTime = reader.optionalDouble("expireTime")
        authMountAccessor = reader.optionalString("authMountAccessor")
        auth = try object["auth"].map { try Auth(json: $0, meta: meta ?? [:]) }
        createdByID = (try? reader.bool("createdByID")) ?? false
    }
}

extension Auth {
    /// Defaults are left out as in ``TokenEntry``; `metadataIsMeta` leaves out the metadata (the token's
    /// `meta` holds the same).
    func write(to writer: inout JSONWriter, metadataIsMeta: Bool = false) {
        func write(_ alias: Alias) {
            writer.beginObject()
            writer.member("name", alias.name)
            if !alias.metadata.isEmpty { writer.member("metadata", alias.metadata) }
            writer.endObject()
        }
        writer.beginObject()
        if !policies.isEmpty { writer.member("policies", policies) }
        if !metadataIsMeta { writer.member("metadata", metadata) }
        writer.member("displayName", displayName)
        if !groupAliases.isEmpty {
            writer.key("groupAliases")
            writer.beginArray()
            for group in groupAliases { write(group) }
            writer.endArray()
        }
        if !internalData.isEmpty {
            writer.key("internalData")
            writer.value(.object(internalData))
        }
        if ttl != 0 { writer.member("ttl", ttl) }
        if maxTTL != 0 { writer.member("maxTTL", maxTTL) }
        if period != 0 { writer.member("period", period) }
        if explicitMaxTTL != 0 { writer.member("explicitMaxTTL", explicitMaxTTL) }
        if numUses != 0 { writer.member("numUses", numUses) }
        if !boundCIDRs.isEmpty { writer.member("boundCIDRs", boundCIDRs) }
        if !tokenType.isEmpty { writer.member("tokenType", tokenType) }
        if noDefaultPolicy { writer.member("noDefaultPolicy", noDefaultPolicy) }
        writer.member("renewable", renewable)
        if let alias {
            writer.key("alias")
            write(alias)
        }
        writer.endObject()
    }

    /// `meta`: the token's metadata, for an auth stored without its own.
    init(json: JSONValue, meta: [String: String] = [:]) throws {
        guard let object = json.objectValue else { throw TokenCodingError() }
        let reader = JSONReader(object)
        func alias(_ value: JSONValue) throws -> Alias {
            guard let fields = value.objectValue else { throw TokenCodingError() }
            let aliasReader = JSONReader(fields)
            return Alias(name: try aliasReader.string("name"), metadata: aliasReader.stringMap("metadata") ?? [:])
        }
        self.init(
            policies: try reader.strings("policies", default: []), metadata: reader.stringMap("metadata") ?? meta,
            displayName: try reader.string("displayName"), alias: try object["alias"].map(alias),
            groupAliases: try (object["groupAliases"]?.arrayValue ?? []).map(alias),
            internalData: object["internalData"]?.objectValue ?? [:], ttl: try reader.int("ttl", default: 0),
            maxTTL: try reader.int("maxTTL", default: 0), period: try reader.int("period", default: 0),
            explicitMaxTTL: try reader.int("explicitMaxTTL", default: 0),
            numUses: try reader.int("numUses", default: 0),
            boundCIDRs: try reader.strings("boundCIDRs", default: []),
            tokenType: try reader.string("tokenType", default: ""),
            noDefaultPolicy: try reader.bool("noDefaultPolicy", default: false), renewable: try reader.bool("renewable")
        )
    }
}

struct TokenCodingError: Error {}

/// Typed reads from a decoded JSON object.
struct JSONReader {
    let object: [String: JSONValue]
    init(_ object: [String: JSONValue]) { self.object = object }

    func string(_ key: String) throws -> String {
        guard let value = object[key]?.stringValue else { throw TokenCodingError() }
        return value
    }
    func optionalString(_ key: String) -> String? { object[key]?.stringValue }
    /// `fallback` when the member is absent; a member of the wrong type is still an error.
    func string(_ key: String, default fallback: String) throws -> String {
        object[key] == nil ? fallback : try string(key)
    }
    func strings(_ key: String, default fallback: [String]) throws -> [String] {
        object[key] == nil ? fallback : try strings(key)
    }
    func int(_ key: String, default fallback: Int64) throws -> Int64 {
        object[key] == nil ? fallback : try int(key)
    }
    func bool(_ key: String, default fallback: Bool) throws -> Bool {
        object[key] == nil ? fallback : try bool(key)
    }
    func strings(_ key: String) throws -> [String] {
        guard let items = object[key]?.arrayValue else { throw TokenCodingError() }
        return try items.map {
            guard let text = $0.stringValue else { throw TokenCodingError() }
            return text
        }
    }
    func stringMap(_ key: String) -> [String: String]? {
        object[key]?.objectValue?.compactMapValues(\.stringValue)
    }
    func int(_ key: String) throws -> Int64 {
        switch object[key] {
        case .int(let value)?: return value
        case .double(let value)?:
            guard let exact = Int64(exactly: value) else { throw TokenCodingError() }
            return exact
        default: throw TokenCodingError()
        }
    }
    func double(_ key: String) throws -> Double {
        guard let value = optionalDouble(key) else { throw TokenCodingError() }
        return value
    }
    func optionalDouble(_ key: String) -> Double? {
        switch object[key] {
        case .int(let value)?: return Double(value)
        case .double(let value)?: return value
        default: return nil
        }
    }
    func bool(_ key: String) throws -> Bool {
        guard case .bool(let value)? = object[key] else { throw TokenCodingError() }
        return value
    }
}
