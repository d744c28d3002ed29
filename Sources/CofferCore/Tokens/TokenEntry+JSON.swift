import CofferFramework

/// A hand-written JSON form of ``TokenEntry`` (same keys as its `Codable` form): every token create,
/// renewal and cache miss encodes or decodes one, and Foundation's coders were a fifth of a login.
extension TokenEntry {
    /// The stored form, streamed without building a dictionary first.
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
        writer.member("numUses", numUses)
        writer.member("creationTime", creationTime)
        writer.member("ttl", ttl)
        writer.member("creationTTL", creationTTL)
        writer.member("explicitMaxTTL", explicitMaxTTL)
        writer.member("period", period)
        writer.member("maxTTL", maxTTL)
        writer.member("renewable", renewable)
        writer.member("type", type)
        writer.member("boundCIDRs", boundCIDRs)
        writer.member("entityID", entityID)
        writer.member("createdByID", createdByID)
        if let parentHash { writer.member("parentHash", parentHash) }
        if let meta { writer.member("meta", meta) }
        if let role { writer.member("role", role) }
        if let lastRenewalTime { writer.member("lastRenewalTime", lastRenewalTime) }
        if let expireTime { writer.member("expireTime", expireTime) }
        if let authMountAccessor { writer.member("authMountAccessor", authMountAccessor) }
        if let auth {
            writer.key("auth")
            auth.write(to: &writer)
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
            numUses: try reader.int("numUses"), creationTime: try reader.double("creationTime"),
            ttl: try reader.int("ttl"),
            explicitMaxTTL: try reader.int("explicitMaxTTL"), period: try reader.int("period"),
            maxTTL: try reader.int("maxTTL"), renewable: try reader.bool("renewable"), type: try reader.string("type"),
            boundCIDRs: try reader.strings("boundCIDRs"), entityID: try reader.string("entityID"))
        creationTTL = try reader.int("creationTTL")
        role = reader.optionalString("role")
        lastRenewalTime = reader.optionalDouble("lastRenewalTime")
        expireTime = reader.optionalDouble("expireTime")
        authMountAccessor = reader.optionalString("authMountAccessor")
        auth = try object["auth"].map { try Auth(json: $0) }
        createdByID = (try? reader.bool("createdByID")) ?? false
    }
}

extension Auth {
    func write(to writer: inout JSONWriter) {
        func write(_ alias: Alias) {
            writer.beginObject()
            writer.member("name", alias.name)
            writer.member("metadata", alias.metadata)
            writer.endObject()
        }
        writer.beginObject()
        writer.member("policies", policies)
        writer.member("metadata", metadata)
        writer.member("displayName", displayName)
        writer.key("groupAliases")
        writer.beginArray()
        for group in groupAliases { write(group) }
        writer.endArray()
        writer.key("internalData")
        writer.value(.object(internalData))
        writer.member("ttl", ttl)
        writer.member("maxTTL", maxTTL)
        writer.member("period", period)
        writer.member("explicitMaxTTL", explicitMaxTTL)
        writer.member("numUses", numUses)
        writer.member("boundCIDRs", boundCIDRs)
        writer.member("tokenType", tokenType)
        writer.member("noDefaultPolicy", noDefaultPolicy)
        writer.member("renewable", renewable)
        if let alias {
            writer.key("alias")
            write(alias)
        }
        writer.endObject()
    }

    init(json: JSONValue) throws {
        guard let object = json.objectValue else { throw TokenCodingError() }
        let reader = JSONReader(object)
        func alias(_ value: JSONValue) throws -> Alias {
            guard let fields = value.objectValue else { throw TokenCodingError() }
            let aliasReader = JSONReader(fields)
            return Alias(name: try aliasReader.string("name"), metadata: aliasReader.stringMap("metadata") ?? [:])
        }
        self.init(
            policies: try reader.strings("policies"), metadata: reader.stringMap("metadata") ?? [:],
            displayName: try reader.string("displayName"), alias: try object["alias"].map(alias),
            groupAliases: try (object["groupAliases"]?.arrayValue ?? []).map(alias),
            internalData: object["internalData"]?.objectValue ?? [:], ttl: try reader.int("ttl"),
            maxTTL: try reader.int("maxTTL"), period: try reader.int("period"),
            explicitMaxTTL: try reader.int("explicitMaxTTL"), numUses: try reader.int("numUses"),
            boundCIDRs: try reader.strings("boundCIDRs"), tokenType: try reader.string("tokenType"),
            noDefaultPolicy: try reader.bool("noDefaultPolicy"), renewable: try reader.bool("renewable"))
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
        case .double(let value)?: return Int64(value)
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
