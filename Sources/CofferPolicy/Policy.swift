import CofferJSON

/// A named ACL policy parsed from Vault's HCL (or JSON) text.
///
/// ```swift
/// let policy = try Policy.parse(name: "app", text: """
///     path "secret/data/app/*" { capabilities = ["read", "list"] }
///     """)
/// let acl = ACL(policies: [policy])
/// ```
/// Text that is valid standard base64 is decoded first, as Vault does; `text` is the decoded form.
public struct Policy: Sendable {
    public let name: String
    public let text: String
    let rules: [PathRule]

    /// Whether any path uses `{{identity.…}}` directives, so the ACL depends on the token's entity.
    public var usesTemplates: Bool { rules.contains { $0.isTemplated } }

    /// The paths as written, in order (templated ones unresolved).
    public var paths: [String] { rules.map(\.path) }

    /// Throws ``PolicyParseError`` with Vault's `failed to parse policy: …` message.
    public static func parse(name: String, text: String) throws(PolicyParseError) -> Policy {
        let source = StandardBase64.decode(text).map { String(decoding: $0, as: UTF8.self) } ?? text
        let items: [HCLItem]
        do {
            items = try HCLDocument.parse(source)
        } catch {
            throw .policy(error.description)
        }
        let invalid = items.compactMap { item -> String? in
            let key = item.keys.first ?? ""
            return key == "name" || key == "path" ? nil : "invalid key \(GoQuote.quote(key)) on line \(item.assignLine)"
        }
        // Vault reports HCL key-check failures as a go-multierror inside its "failed to parse policy" text.
        if !invalid.isEmpty { throw .policy(GoMultiError.text(invalid)) }

        var rules: [PathRule] = []
        for item in items where item.keys.first == "path" {
            do {
                rules.append(try PathBlockDecoder.decode(item))
            } catch {
                throw .policy(error.message)
            }
        }
        return Policy(name: name, text: source, rules: rules)
    }
}

/// Turns one `path` item into a ``PathRule``, checking keys, types and values in Vault's order so
/// the first error reported is the one Vault would report.
enum PathBlockDecoder {
    static let validKeys: Set<String> = [
        "comment", "policy", "capabilities", "allowed_parameters", "denied_parameters", "required_parameters",
        "min_wrapping_ttl", "max_wrapping_ttl", "mfa_methods", "control_group",
    ]

    static func decode(_ item: HCLItem) throws(PolicyParseError) -> PathRule {
        // `path { … }` without a label names the literal path "path", as in Vault.
        let key = item.keys.count > 1 ? item.keys[1] : "path"
        let quotedKey = GoQuote.quote(key)
        let isTemplated: Bool
        do {
            isTemplated = try PolicyTemplate.validate(key)
        } catch {
            throw PolicyParseError(message: "failed to validate policy templating: unbalanced templating characters")
        }

        let fields = try checkedFields(item, quotedKey: quotedKey)
        let pattern: RulePattern
        switch RulePattern.compile(key) {
        case .success(let compiled): pattern = compiled
        case .failure(let error): throw error
        }

        var permissions = Permissions()
        for word in try capabilityWords(fields, quotedKey: quotedKey) {
            guard let capability = Capability(rawValue: word) else {
                throw PolicyParseError(message: "path \(quotedKey): invalid capability \(GoQuote.quote(word))")
            }
            if capability == .deny {
                // Vault stops here: a deny block carries no other capability or constraint.
                permissions.capabilities = .denyOnly
                return PathRule(
                    path: key, isTemplated: isTemplated, permissions: permissions,
                    pattern: isTemplated ? nil : pattern)
            }
            permissions.capabilities.insert(capability)
        }

        permissions.allowedParameters = fields.allowedParameters.map(lowercasedKeys)
        permissions.deniedParameters = fields.deniedParameters.map(lowercasedKeys)
        try applyWrappingTTLs(fields, to: &permissions)
        permissions.requiredParameters = fields.requiredParameters
        return PathRule(
            path: key, isTemplated: isTemplated, permissions: permissions,
            pattern: isTemplated ? nil : pattern)
    }

    /// The block's fields, after refusing a body that is not an object and every unknown key.
    private static func checkedFields(_ item: HCLItem, quotedKey: String) throws(PolicyParseError) -> Fields {
        guard case .object(let body, _) = item.value else {
            throw PolicyParseError(message: "path \(quotedKey): cannot check HCL keys of type \(item.value.goTypeName)")
        }
        let invalid = body.compactMap { entry -> String? in
            let name = entry.keys.first ?? ""
            return validKeys.contains(name)
                ? nil : "path \(quotedKey): invalid key \(GoQuote.quote(name)) on line \(entry.assignLine)"
        }
        if !invalid.isEmpty { throw PolicyParseError(message: GoMultiError.text(invalid)) }
        do {
            return try Fields(body)
        } catch {
            throw PolicyParseError(message: "path \(quotedKey): \(error.description)")
        }
    }

    /// The capability words, with the legacy `policy = "read|write|sudo|deny"` shorthand expanded.
    private static func capabilityWords(_ fields: Fields, quotedKey: String) throws(PolicyParseError) -> [String] {
        var words = fields.capabilities
        if let legacy = fields.policy, !legacy.isEmpty {
            switch legacy {
            case "deny": words = ["deny"]
            case "read": words += ["read", "list"]
            case "write": words += ["create", "read", "update", "delete", "list"]
            case "sudo": words += ["create", "read", "update", "delete", "list", "sudo"]
            default: throw PolicyParseError(message: "path \(quotedKey): invalid policy \(GoQuote.quote(legacy))")
            }
        }
        return words
    }

    /// Parses the wrapping TTL bounds and refuses a maximum below the minimum.
    private static func applyWrappingTTLs(
        _ fields: Fields, to permissions: inout Permissions
    ) throws(PolicyParseError) {
        if let ttl = fields.minWrappingTTL {
            do {
                permissions.minWrappingTTL = try duration(ttl)
            } catch {
                throw PolicyParseError(message: "error parsing min_wrapping_ttl: \(error.description)")
            }
        }
        if let ttl = fields.maxWrappingTTL {
            do {
                permissions.maxWrappingTTL = try duration(ttl)
            } catch {
                throw PolicyParseError(message: "error parsing max_wrapping_ttl: \(error.description)")
            }
        }
        if permissions.minWrappingTTL != 0 && permissions.maxWrappingTTL != 0
            && permissions.maxWrappingTTL < permissions.minWrappingTTL
        {
            throw PolicyParseError(message: "max_wrapping_ttl cannot be less than min_wrapping_ttl")
        }
    }

    private static func lowercasedKeys(_ map: [(String, [JSONValue])]) -> [String: [JSONValue]] {
        var out: [String: [JSONValue]] = [:]
        for (key, values) in map { out[key.lowercased(), default: []].append(contentsOf: values) }
        return out
    }

    private struct DurationError: Error, CustomStringConvertible { var description: String }

    private static func duration(_ value: HCLValue) throws(DurationError) -> Int64 {
        guard case .literal(let literal, _) = value else {
            throw DurationError(description: "could not parse duration from input")
        }
        if case .bool = literal { throw DurationError(description: "could not parse duration from input") }
        do {
            return try DurationParser.seconds(literal.jsonValue)
        } catch {
            throw DurationError(description: String(describing: error))
        }
    }
}

/// The typed fields of a path block, decoded like HCL v1's `DecodeObject`: repeated list keys
/// append, repeated maps merge, repeated scalars keep the last value.
private struct Fields {
    var capabilities: [String] = []
    var policy: String?
    var allowedParameters: [(String, [JSONValue])]?
    var deniedParameters: [(String, [JSONValue])]?
    var requiredParameters: [String] = []
    var minWrappingTTL: HCLValue?
    var maxWrappingTTL: HCLValue?

    init(_ body: [HCLItem]) throws(HCLSyntaxError) {
        for entry in body {
            let field = entry.keys[0]
            let value = entry.nestedValue
            let name = "root.\(field)"
            switch field {
            case "capabilities": capabilities += try Self.strings(value, name: name)
            case "required_parameters": requiredParameters += try Self.strings(value, name: name)
            case "mfa_methods": _ = try Self.strings(value, name: name)
            case "policy": policy = try Self.string(value, name: name)
            case "comment": _ = try Self.string(value, name: name)
            case "allowed_parameters":
                allowedParameters = (allowedParameters ?? []) + (try Self.parameterMap(value, name: name))
            case "denied_parameters":
                deniedParameters = (deniedParameters ?? []) + (try Self.parameterMap(value, name: name))
            case "min_wrapping_ttl": minWrappingTTL = value
            case "max_wrapping_ttl": maxWrappingTTL = value
            default: break  // control_group: accepted, not enforced
            }
        }
    }

    private static func string(_ value: HCLValue, name: String) throws(HCLSyntaxError) -> String {
        if case .literal(let literal, _) = value {
            switch literal {
            case .string(let s): return s
            case .number(let n): return String(decoding: n.serialized(), as: UTF8.self)
            case .bool: break
            }
        }
        throw HCLSyntaxError(position: value.position, reason: "\(name): unknown type for string \(value.goTypeName)")
    }

    private static func strings(_ value: HCLValue, name: String) throws(HCLSyntaxError) -> [String] {
        var out: [String] = []
        for (index, element) in try slice(value).enumerated() {
            out.append(try string(element, name: "\(name)[\(index)]"))
        }
        return out
    }

    private static func slice(_ value: HCLValue) throws(HCLSyntaxError) -> [HCLValue] {
        switch value {
        case .list(let elements, _): return elements
        case .object: return [value]
        case .literal: throw HCLSyntaxError(position: value.position, reason: "unknown slice type: \(value.goTypeName)")
        }
    }

    /// `{ "key" = [values…] }`, in order, keys not yet lower-cased.
    private static func parameterMap(_ value: HCLValue, name: String) throws(HCLSyntaxError) -> [(String, [JSONValue])]
    {
        guard case .object(let items, _) = value else {
            throw HCLSyntaxError(
                position: value.position, reason: "\(name): not an object type for map (\(value.goTypeName))")
        }
        var out: [(String, [JSONValue])] = []
        for item in items {
            out.append((item.keys[0], try slice(item.nestedValue).map(\.jsonValue)))
        }
        return out
    }
}
