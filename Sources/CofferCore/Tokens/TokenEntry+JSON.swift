import CofferFramework

/// A hand-written JSON form of ``TokenEntry`` (same keys as its `Codable` form): every token create,
/// renewal and cache miss encodes or decodes one, and Foundation's coders were a fifth of a login.
extension TokenEntry {
    func json() -> JSONValue {
        var object: [String: JSONValue] = [
            "idHash": .string(idHash), "accessor": .string(accessor), "policies": .strings(policies),
            "path": .string(path), "displayName": .string(displayName), "numUses": .int(numUses),
            "creationTime": .double(creationTime), "ttl": .int(ttl), "creationTTL": .int(creationTTL),
            "explicitMaxTTL": .int(explicitMaxTTL), "period": .int(period), "maxTTL": .int(maxTTL),
            "renewable": .bool(renewable), "type": .string(type), "boundCIDRs": .strings(boundCIDRs),
            "entityID": .string(entityID), "createdByID": .bool(createdByID),
        ]
        if let parentHash { object["parentHash"] = .string(parentHash) }
        if let meta { object["meta"] = .stringMap(meta) }
        if let role { object["role"] = .string(role) }
        if let lastRenewalTime { object["lastRenewalTime"] = .double(lastRenewalTime) }
        if let expireTime { object["expireTime"] = .double(expireTime) }
        if let authMountAccessor { object["authMountAccessor"] = .string(authMountAccessor) }
        if let auth { object["auth"] = auth.json() }
        return .object(object)
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
    func json() -> JSONValue {
        func alias(_ alias: Alias) -> JSONValue {
            ["name": .string(alias.name), "metadata": .stringMap(alias.metadata)]
        }
        var object: [String: JSONValue] = [
            "policies": .strings(policies), "metadata": .stringMap(metadata), "displayName": .string(displayName),
            "groupAliases": .array(groupAliases.map(alias)), "internalData": .object(internalData), "ttl": .int(ttl),
            "maxTTL": .int(maxTTL), "period": .int(period), "explicitMaxTTL": .int(explicitMaxTTL),
            "numUses": .int(numUses), "boundCIDRs": .strings(boundCIDRs), "tokenType": .string(tokenType),
            "noDefaultPolicy": .bool(noDefaultPolicy), "renewable": .bool(renewable),
        ]
        if let value = self.alias { object["alias"] = alias(value) }
        return .object(object)
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
