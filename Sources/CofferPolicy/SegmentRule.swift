/// A pattern with `+` segment wildcards (`auth/+/login`, `secret/+/team-*`), pre-split so a request
/// path is compared segment by segment without re-parsing the pattern.
///
/// ```swift
/// let rule = SegmentRule(fullPath: "secret/+/team-*", permissions: p)
/// rule.match("secret/a/team-x/y".split(separator: "/", omittingEmptySubsequences: false))  // 1 wildcard
/// ```
struct SegmentRule: Sendable {
    /// The pattern without its trailing `*`, which is what Vault's length and order tie-breakers use.
    let pattern: String
    let parts: [String]
    let isPrefix: Bool
    /// Byte offset of the first `+` in the full pattern text.
    let firstWildcard: Int
    let permissions: Permissions

    init(fullPath: String, permissions: Permissions) {
        isPrefix = fullPath.hasSuffix("*")
        pattern = isPrefix ? String(fullPath.dropLast()) : fullPath
        parts = pattern.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        firstWildcard =
            fullPath.utf8.firstIndex(of: UInt8(ascii: "+")).map {
                fullPath.utf8.distance(from: fullPath.utf8.startIndex, to: $0)
            } ?? -1
        self.permissions = permissions
    }

    /// The number of `+` segments used when `pathParts` matches, `nil` otherwise. A prefix pattern's
    /// last segment matches by prefix and may be followed by any number of segments.
    func match(_ pathParts: [Substring]) -> Int? {
        if pathParts.count < parts.count { return nil }
        if !isPrefix && pathParts.count != parts.count { return nil }
        var wildcards = 0
        for (index, part) in parts.enumerated() {
            if part == "+" {
                wildcards += 1
            } else if pathParts[index] == part {
                continue
            } else if isPrefix && index == parts.count - 1 && pathParts[index].hasPrefix(part) {
                continue
            } else {
                return nil
            }
        }
        return wildcards
    }

    /// Vault's "bare mount" check: whether this rule, matched segment by segment against the mount
    /// path (which ends in `/`), reaches at or below the mount with a non-deny grant.
    func grantsSomething(underMountParts mountParts: [Substring], mount: String) -> Bool {
        let capabilities = permissions.capabilities
        guard !capabilities.isDeny, !capabilities.isEmpty, mountParts.count >= 2 else { return false }
        var segments: [Substring] = []
        for (index, part) in parts.enumerated() {
            if part == "+" || mountParts[index] == part {
                segments.append(mountParts[index])
            } else if isPrefix && index == parts.count - 1 && mountParts[index].hasPrefix(part) {
                segments.append(contentsOf: mountParts[index...])
            }
            if index == mountParts.count - 2 {
                return (segments.joined(separator: "/") + "/").hasPrefix(mount)
            }
        }
        return false
    }
}
