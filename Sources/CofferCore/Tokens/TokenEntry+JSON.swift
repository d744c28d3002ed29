import CofferFramework

/// The hand-written JSON form of ``TokenEntry`` (its member names are the stored keys): every token create,
/// renewal and cache miss encodes or decodes one, and Foundation's coders were a fifth of a login.
extension TokenEntry {
    /// The stored form, streamed without building a dictionary first. Zeros, empty lists and `false` are left
    /// out (the reader defaults them), as is the auth's metadata when it equals `meta`, and so is what the
    /// reader can derive: the id hash (the entry's own storage key, supplied by ``TokenStore``), `creationTTL`
    /// equal to `ttl`, `expireTime` equal to `creationTime + ttl`, a `service` type and an empty entity. Every
    /// login stores one of these, and the in-memory store keeps them all (docs/tokens.md § Token anatomy).
    func json() -> [UInt8] {
        var writer = JSONWriter(capacity: 1024)
        write(to: &writer)
        return writer.bytes
    }

    func write(to writer: inout JSONWriter) {
        writer.beginObject()
        writer.member("accessor", accessor)
        writer.member("policies", policies)
        writer.member("path", path)
        writer.member("displayName", displayName)
        if numUses != 0 { writer.member("numUses", numUses) }
        writer.member("creationTime", creationTime)
        writer.member("ttl", ttl)
        if creationTTL != ttl { writer.member("creationTTL", creationTTL) }
        if explicitMaxTTL != 0 { writer.member("explicitMaxTTL", explicitMaxTTL) }
        if period != 0 { writer.member("period", period) }
        if maxTTL != 0 { writer.member("maxTTL", maxTTL) }
        writer.member("renewable", renewable)
        if type != .service { writer.member("type", type.rawValue) }
        if !boundCIDRs.isEmpty { writer.member("boundCIDRs", boundCIDRs) }
        if !entityID.isEmpty { writer.member("entityID", entityID) }
        if createdByID { writer.member("createdByID", createdByID) }
        if let parentHash { writer.member("parentHash", parentHash) }
        if let meta { writer.member("meta", meta) }
        if let role { writer.member("role", role) }
        if let lastRenewalTime { writer.member("lastRenewalTime", lastRenewalTime) }
        if expireTime != derivedExpireTime {
            writer.key("expireTime")
            if let expireTime { writer.double(expireTime) } else { writer.null() }
        }
        if let authMountAccessor { writer.member("authMountAccessor", authMountAccessor) }
        if let auth {
            writer.key("auth")
            auth.write(to: &writer, metadataIsMeta: auth.metadata == (meta ?? [:]))
        }
        writer.endObject()
    }

    /// The expiry a fresh entry gets from its creation time and TTL; stored only when it differs.
    private var derivedExpireTime: Double? { ttl > 0 ? creationTime + Double(ttl) : nil }

    init(json: JSONValue) throws {
        guard let object = json.objectValue else { throw TokenCodingError() }
        let reader = JSONObjectReader(object)
        self.init(
            idHash: try reader.string("idHash", default: ""), accessor: try reader.string("accessor"),
            parentHash: reader.optionalString("parentHash"), policies: try reader.strings("policies"),
            path: try reader.string("path"), meta: reader.stringMap("meta"),
            displayName: try reader.string("displayName"),
            numUses: try reader.int("numUses", default: 0), creationTime: try reader.double("creationTime"),
            ttl: try reader.int("ttl"),
            explicitMaxTTL: try reader.int("explicitMaxTTL", default: 0), period: try reader.int("period", default: 0),
            maxTTL: try reader.int("maxTTL", default: 0), renewable: try reader.bool("renewable"),
            type: try reader.tokenType("type", default: .service),
            boundCIDRs: try reader.strings("boundCIDRs", default: []),
            entityID: try reader.string("entityID", default: ""))
        creationTTL = try reader.int("creationTTL", default: ttl)
        role = reader.optionalString("role")
        lastRenewalTime = reader.optionalDouble("lastRenewalTime")
        expireTime = object["expireTime"] == nil ? derivedExpireTime : reader.optionalDouble("expireTime")
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
        if tokenType != .default { writer.member("tokenType", tokenType.rawValue) }
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
        let reader = JSONObjectReader(object)
        func alias(_ value: JSONValue) throws -> Alias {
            guard let fields = value.objectValue else { throw TokenCodingError() }
            let aliasReader = JSONObjectReader(fields)
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
            tokenType: try reader.tokenType("tokenType", default: .default),
            noDefaultPolicy: try reader.bool("noDefaultPolicy", default: false), renewable: try reader.bool("renewable")
        )
    }
}

struct TokenCodingError: Error {}

extension JSONObjectReader {
    /// A token type by its stored string. `fallback`, when given, also stands for the empty string: older auths
    /// stored `""` for "the mount's default".
    func tokenType(_ key: String, default fallback: TokenType? = nil) throws -> TokenType {
        if let fallback, object[key] == nil || object[key]?.stringValue == "" { return fallback }
        guard let type = TokenType(rawValue: try string(key)) else {
            throw Failure(key: key, expected: "a token type")
        }
        return type
    }
}
