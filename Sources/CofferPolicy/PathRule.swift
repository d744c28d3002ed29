import CofferJSON

/// One `path "…" { … }` block of a parsed policy. Templated blocks keep their pattern text
/// unresolved until an ACL is built for a particular token.
///
/// ```swift
/// let rule = policy.rules[0]
/// rule.path            // "secret/data/{{identity.entity.name}}/*", as written
/// rule.pattern         // nil while templated; otherwise the compiled pattern
/// ```
struct PathRule: Sendable {
    let path: String
    let isTemplated: Bool
    let permissions: Permissions
    let pattern: RulePattern?
}

/// What a matched rule grants, and the constraints it puts on the request.
struct Permissions: Sendable {
    var capabilities = CapabilitySet()
    /// `nil` when the block did not mention the constraint at all; keys are lower-case.
    var allowedParameters: [String: [JSONValue]]?
    var deniedParameters: [String: [JSONValue]]?
    var requiredParameters: [String] = []
    var minWrappingTTL: Int64 = 0
    var maxWrappingTTL: Int64 = 0

    /// Folds in another block with the same pattern, following Vault's NewACL merge rules.
    mutating func merge(_ other: Permissions) {
        if capabilities.isDeny { return }
        if other.capabilities.isDeny {
            capabilities = .denyOnly
            allowedParameters = nil
            deniedParameters = nil
            return
        }
        capabilities.bits |= other.capabilities.bits
        // Keep the tighter wrapping bounds: the smaller non-zero value of each.
        if other.maxWrappingTTL > 0 && (maxWrappingTTL == 0 || other.maxWrappingTTL < maxWrappingTTL) {
            maxWrappingTTL = other.maxWrappingTTL
        }
        if other.minWrappingTTL > 0 && (minWrappingTTL == 0 || other.minWrappingTTL < minWrappingTTL) {
            minWrappingTTL = other.minWrappingTTL
        }
        allowedParameters = Self.mergeParameters(allowedParameters, other.allowedParameters)
        deniedParameters = Self.mergeParameters(deniedParameters, other.deniedParameters)
        for parameter in other.requiredParameters where !requiredParameters.contains(parameter) {
            requiredParameters.append(parameter)
        }
    }

    /// Value lists are concatenated, except that an empty list ("any value") absorbs the other side.
    private static func mergeParameters(
        _ existing: [String: [JSONValue]]?, _ incoming: [String: [JSONValue]]?
    ) -> [String: [JSONValue]]? {
        guard let incoming, !incoming.isEmpty else { return existing }
        guard var merged = existing else { return incoming }
        for (key, values) in incoming {
            if let current = merged[key] {
                merged[key] = values.isEmpty || current.isEmpty ? [] : values + current
            } else {
                merged[key] = values
            }
        }
        return merged
    }
}

/// A compiled path pattern: exact text, a prefix (trailing `*` removed), or a pattern with `+`
/// segment wildcards (kept whole, trailing `*` included, as Vault keys them).
struct RulePattern: Sendable, Hashable {
    enum Kind: Sendable, Hashable { case exact, prefix, segmentWildcard }

    let kind: Kind
    let path: String

    /// Compiles a pattern as written in a policy; the error text is Vault's, minus the
    /// `failed to parse policy: ` prefix.
    static func compile(_ written: String) -> Result<RulePattern, PolicyParseError> {
        var path = Substring(written)
        if path.first == "/" { path = path.dropFirst() }
        let text = String(path)
        if text.contains("+*") {
            return .failure(
                PolicyParseError(
                    message: "path \(GoQuote.quote(text)): invalid use of wildcards ('+*' is forbidden)"))
        }
        if text == "+" || text.contains("/+") || text.hasPrefix("+/") {
            return .success(RulePattern(kind: .segmentWildcard, path: text))
        }
        if text.hasSuffix("*") {
            return .success(RulePattern(kind: .prefix, path: String(text.dropLast())))
        }
        return .success(RulePattern(kind: .exact, path: text))
    }
}
