import Foundation

/// Vault's ACL templating of policy paths: `{{ … }}` directives validated when a policy is written
/// and substituted per token when its ACL is built.
///
/// ```swift
/// try PolicyTemplate.validate("kv/{{identity.entity.name}}/*")   // true: has directives
/// PolicyTemplate.resolve("kv/{{identity.entity.name}}/*", context: ctx)   // "kv/alice/*", or nil
/// ```
enum PolicyTemplate {
    struct Unbalanced: Error {}

    /// Whether `text` holds directives; throws when `{{`/`}}` are unbalanced or nested. The
    /// directives themselves are only checked at resolution time, as in Vault.
    static func validate(_ text: String) throws(Unbalanced) -> Bool {
        if count(text, "{{") != count(text, "}}") { throw Unbalanced() }
        // Vault scans every two-byte window, so "{{{" counts as a nested opening.
        let bytes = Array(text.utf8)
        var open = false
        for i in 0..<max(bytes.count - 1, 0) {
            if bytes[i] == UInt8(ascii: "{") && bytes[i + 1] == UInt8(ascii: "{") {
                if open { throw Unbalanced() }
                open = true
            } else if bytes[i] == UInt8(ascii: "}") && bytes[i + 1] == UInt8(ascii: "}") {
                if !open { throw Unbalanced() }
                open = false
            }
        }
        return count(text, "{{") > 0
    }

    /// The text with every directive substituted, or `nil` when any directive cannot be resolved
    /// (no entity, unknown alias or group, missing metadata key, unknown directive) or its value is unsafe in a
    /// path (``isSafeSubstitution(_:)``).
    static func resolve(_ text: String, context: TemplateContext?) -> String? {
        guard (try? validate(text)) != nil else { return nil }
        let pieces = text.components(separatedBy: "{{")
        var out = pieces[0]
        for piece in pieces.dropFirst() {
            let parts = piece.components(separatedBy: "}}")
            guard parts.count == 2 else { return nil }
            guard let value = directive(parts[0].trimmingSpaces, context: context), isSafeSubstitution(value) else {
                return nil
            }
            out += value + parts[1]
        }
        return out
    }

    /// Whether a value may stand in a policy path. A value with a glob character or a `/` would widen the rule
    /// beyond one name (a login field `"*"` reading every team's secrets); such a rule is skipped, as Vault skips
    /// a rule whose value is missing.
    static func isSafeSubstitution(_ value: String) -> Bool {
        !value.utf8.contains { $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "/") }
    }

    private static func count(_ text: String, _ needle: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    private static func directive(_ input: String, context: TemplateContext?) -> String? {
        if let rest = input.dropPrefix("identity.entity.") {
            guard let context else { return nil }
            return entity(rest, context: context)
        }
        if let rest = input.dropPrefix("identity.groups.") {
            guard let context, !context.groups.isEmpty else { return nil }
            return group(rest, context: context)
        }
        return nil
    }

    private static func entity(_ selector: String, context: TemplateContext) -> String? {
        switch selector {
        case "id": return context.entityID
        case "name": return context.entityName.isEmpty ? nil : context.entityName
        default: break
        }
        if let key = selector.dropPrefix("metadata.") { return context.entityMetadata[key] }
        if let rest = selector.dropPrefix("aliases.") {
            guard let dot = rest.firstIndex(of: ".") else { return nil }
            guard let alias = context.aliases[String(rest[..<dot])] else { return nil }
            let field = String(rest[rest.index(after: dot)...])
            switch field {
            case "id": return alias.id.isEmpty ? nil : alias.id
            case "name": return alias.name.isEmpty ? nil : alias.name
            default: return field.dropPrefix("metadata.").flatMap { alias.metadata[$0] }
            }
        }
        return nil
    }

    private static func group(_ selector: String, context: TemplateContext) -> String? {
        let byID: Bool
        let rest: String
        if let r = selector.dropPrefix("ids.") {
            byID = true
            rest = r
        } else if let r = selector.dropPrefix("names.") {
            byID = false
            rest = r
        } else {
            return nil
        }
        guard let dot = rest.firstIndex(of: ".") else { return nil }
        let wanted = String(rest[..<dot])
        let field = String(rest[rest.index(after: dot)...])
        guard let group = context.groups.first(where: { (byID ? $0.id : $0.name) == wanted }) else { return nil }
        switch field {
        case "id": return group.id
        case "name": return group.name.isEmpty ? nil : group.name
        default: return field.dropPrefix("metadata.").flatMap { group.metadata[$0] }
        }
    }
}

extension String {
    fileprivate func dropPrefix(_ prefix: String) -> String? {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : nil
    }

    fileprivate var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
