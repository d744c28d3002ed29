import CofferJSON

/// A token's access-control list, built once from its policies and then checked on every request.
///
/// ```swift
/// let acl = ACL(policies: [defaultPolicy, appPolicy], context: templateContext)
/// let result = acl.evaluate(.update, path: "secret/data/app", data: body)
/// acl.capabilities(path: "secret/data/app")          // ["read", "update"]
/// acl.grantsAnything(underMount: "secret/")          // KV preflight
/// ```
/// Matching follows Vault: an exact rule wins; list requests also try the path without its trailing
/// `/`; otherwise the longest prefix rule competes with every matching `+` rule under Vault's
/// tie-breakers. Only the chosen rule's capabilities count.
public struct ACL: Sendable {
    public let isRoot: Bool
    private let exactRules: [String: Permissions]
    private let prefixRules: PrefixTrie<Permissions>
    private let prefixList: [(prefix: String, permissions: Permissions)]
    private let segmentRules: [SegmentRule]

    /// A policy named `root` makes this a root ACL. Templated blocks are resolved against `context`;
    /// blocks that cannot be resolved (or resolve to an invalid pattern) are skipped.
    public init(policies: [Policy], context: TemplateContext? = nil) {
        isRoot = policies.contains { $0.name == "root" }
        var exact = RuleTable()
        var prefix = RuleTable()
        var segment = RuleTable()
        for policy in policies {
            for rule in policy.rules {
                guard let pattern = Self.pattern(for: rule, context: context) else { continue }
                switch pattern.kind {
                case .exact: exact.add(rule.permissions, at: pattern.path)
                case .prefix: prefix.add(rule.permissions, at: pattern.path)
                case .segmentWildcard: segment.add(rule.permissions, at: pattern.path)
                }
            }
        }
        exactRules = exact.rules
        var trie = PrefixTrie<Permissions>()
        for (key, permissions) in prefix.ordered { trie.insert(key, permissions) }
        prefixRules = trie
        prefixList = prefix.ordered.map { (prefix: $0.key, permissions: $0.permissions) }
        segmentRules = segment.ordered.map { SegmentRule(fullPath: $0.key, permissions: $0.permissions) }
    }

    private static func pattern(for rule: PathRule, context: TemplateContext?) -> RulePattern? {
        if let pattern = rule.pattern { return pattern }
        guard let resolved = PolicyTemplate.resolve(rule.path, context: context) else { return nil }
        return try? RulePattern.compile(resolved).get()
    }

    // MARK: Evaluation

    /// Checks `operation` on `path`. `data` is the request body/query used for parameter
    /// constraints; `wrapTTL` is the requested response-wrapping TTL in seconds, if any.
    public func evaluate(
        _ operation: ACLOperation, path: String, data: [String: JSONValue]? = nil, wrapTTL: Int64? = nil
    ) -> ACLResult {
        if isRoot { return .root }
        guard let permissions = match(Self.trimmingLeadingSlashes(path), isList: operation == .list) else {
            return .noMatch
        }
        var result = ACLResult(
            allowed: false, rootPrivileges: permissions.capabilities.contains(.sudo),
            capabilities: permissions.capabilities.asSet)
        guard permissions.capabilities.contains(operation.requiredCapability) else { return result }

        if permissions.maxWrappingTTL > 0 {
            guard let wrapTTL, wrapTTL <= permissions.maxWrappingTTL else { return result }
        }
        if permissions.minWrappingTTL > 0 {
            guard let wrapTTL, wrapTTL >= permissions.minWrappingTTL else { return result }
        }
        // Merging can combine bounds that no single block would have been allowed to declare.
        if permissions.minWrappingTTL != 0 && permissions.maxWrappingTTL != 0
            && permissions.maxWrappingTTL < permissions.minWrappingTTL
        {
            return result
        }
        if operation != .list && operation != .delete {
            guard ParameterCheck.allows(data, permissions) else { return result }
        }
        result.allowed = true
        return result
    }

    /// Sorted capability names on `path` as `sys/capabilities-self` reports them: `["root"]` for a
    /// root ACL, `["deny"]` when nothing is granted. The path is matched as a list request, so
    /// `secret/` and `secret` hit the same exact rule.
    public func capabilities(path: String) -> [String] {
        if isRoot { return ["root"] }
        let granted = match(Self.trimmingLeadingSlashes(path), isList: true)?.capabilities ?? CapabilitySet()
        if granted.isDeny || granted.isEmpty { return ["deny"] }
        return granted.sortedNames
    }

    /// Vault's preflight rule for `sys/internal/ui/mounts/<path>`: true when the mount path itself is
    /// not denied, or any exact, prefix or `+` rule at or under it grants something other than deny.
    public func grantsAnything(underMount mountPath: String) -> Bool {
        if isRoot { return true }
        var mount = Self.trimmingLeadingSlashes(mountPath)
        if !mount.hasSuffix("/") { mount += "/" }
        if capabilities(path: mount) != ["deny"] { return true }
        func grants(_ permissions: Permissions) -> Bool {
            !permissions.capabilities.isDeny && permissions.capabilities.bits & CapabilitySet.mountAccessMask != 0
        }
        if exactRules.contains(where: { $0.key.hasPrefix(mount) && grants($0.value) }) { return true }
        if prefixList.contains(where: { $0.prefix.hasPrefix(mount) && grants($0.permissions) }) { return true }
        let mountParts = mount.split(separator: "/", omittingEmptySubsequences: false)
        return segmentRules.contains { $0.grantsSomething(underMountParts: mountParts, mount: mount) }
    }

    // MARK: Matching

    private func match(_ path: String, isList: Bool) -> Permissions? {
        if let permissions = exactRules[path] { return permissions }
        let endsWithSlash = path.hasSuffix("/")
        if isList && endsWithSlash {
            let trimmed = String(path.dropLast())
            if let permissions = exactRules[trimmed] { return permissions }
            // Rules such as `secret/foo*` must see the path without its slash first.
            if let permissions = nonExactMatch(trimmed) { return permissions }
        }
        return nonExactMatch(path)
    }

    private func nonExactMatch(_ path: String) -> Permissions? {
        let prefixHit = prefixRules.longestPrefix(of: path)
        if segmentRules.isEmpty { return prefixHit?.value }
        var best = prefixHit.map { hit in
            Candidate(
                firstWildcard: hit.key.utf8.count, isPrefix: true, wildcards: 0, pattern: hit.key,
                permissions: hit.value)
        }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        for rule in segmentRules {
            guard let wildcards = rule.match(parts) else { continue }
            let candidate = Candidate(
                firstWildcard: rule.firstWildcard, isPrefix: rule.isPrefix, wildcards: wildcards,
                pattern: rule.pattern, permissions: rule.permissions)
            if best.map({ $0.ranksBelow(candidate) }) ?? true { best = candidate }
        }
        return best?.permissions
    }

    private static func trimmingLeadingSlashes(_ path: String) -> String {
        guard path.hasPrefix("/") else { return path }
        return String(path.drop { $0 == "/" })
    }
}

/// Rules of one kind keyed by pattern text, merged on collision, remembering first-seen order.
private struct RuleTable {
    var rules: [String: Permissions] = [:]
    private var order: [String] = []

    mutating func add(_ permissions: Permissions, at key: String) {
        if rules[key] == nil {
            rules[key] = permissions
            order.append(key)
        } else {
            rules[key]?.merge(permissions)
        }
    }

    var ordered: [(key: String, permissions: Permissions)] {
        order.compactMap { key in rules[key].map { (key, $0) } }
    }
}

/// A rule competing in the non-exact search, with the facts Vault's tie-breakers look at.
private struct Candidate {
    var firstWildcard: Int
    var isPrefix: Bool
    var wildcards: Int
    var pattern: String
    var permissions: Permissions

    /// Vault's priority order: later first wildcard, then not-a-prefix, then fewer `+`, then longer,
    /// then lexicographically greater.
    func ranksBelow(_ other: Candidate) -> Bool {
        if firstWildcard != other.firstWildcard { return firstWildcard < other.firstWildcard }
        if isPrefix != other.isPrefix { return isPrefix }
        if wildcards != other.wildcards { return wildcards > other.wildcards }
        let length = pattern.utf8.count
        let otherLength = other.pattern.utf8.count
        if length != otherLength { return length < otherLength }
        return pattern.utf8.lexicographicallyPrecedes(other.pattern.utf8)
    }
}
