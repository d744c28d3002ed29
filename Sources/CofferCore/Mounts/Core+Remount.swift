import CofferFramework
import Foundation

extension Core {
    /// Secrets-engine paths no remount may leave or enter; auth mounts are guarded by ``protectedAuthPrefixes``.
    static let protectedMountPrefixes = ["audit/", "auth/", "sys/", "cubbyhole/", "identity/"]
    static let protectedAuthPrefixes = ["auth/token"]

    /// Vault's `sanitizePath`: a trailing `/` added, leading ones dropped (nothing else is cleaned).
    static func sanitizeRemountPath(_ path: String) -> String {
        var result = path.hasSuffix("/") ? path : path + "/"
        while result.hasPrefix("/") { result.removeFirst() }
        return result
    }

    /// Go's `path.Clean` of a relative path, keeping a trailing slash: what a destination must already be.
    static func cleanedMountPath(_ path: String) -> String {
        var parts: [Substring] = []
        for part in path.split(separator: "/", omittingEmptySubsequences: true) where part != "." {
            if part == "..", let last = parts.last, last != ".." {
                parts.removeLast()
            } else {
                parts.append(part)
            }
        }
        let cleaned = parts.isEmpty ? "." : parts.joined(separator: "/")
        return path.hasSuffix("/") ? cleaned + "/" : cleaned
    }

    /// Refuses a remount Vault refuses, before anything changes; `from` and `to` are sanitized route prefixes
    /// (`auth/` included for auth mounts).
    func checkRemount(from: String, to: String) throws {
        let cleaned = Self.cleanedMountPath(to)
        if cleaned != to {
            throw LogicalError.badRequest(
                "invalid destination mount: path '\(to)' does not match cleaned path '\(cleaned)'")
        }
        if to.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\u{7F}" }) {
            throw LogicalError.badRequest("invalid destination mount: path cannot contain non-printable characters")
        }
        if to.split(separator: "/").contains("..") {
            throw LogicalError.badRequest("invalid destination mount: path cannot contain parent references")
        }
        let protected: [String]
        if from.hasPrefix("auth/") {
            guard to.hasPrefix("auth/") else {
                throw LogicalError.badRequest("cannot remount auth mount to non-auth mount \"\(to)\"")
            }
            protected = Self.protectedAuthPrefixes
        } else {
            protected = Self.protectedMountPrefixes
        }
        if protected.contains(where: { from.hasPrefix($0) }) {
            throw LogicalError.badRequest("cannot remount \"\(from)\"")
        }
        if protected.contains(where: { to.hasPrefix($0) }) || to == "auth/" {
            throw LogicalError.badRequest("cannot remount to destination \"\(to)\"")
        }
    }

    /// The route prefix of an existing mount that `to` would collide with (equal, under it, or above it).
    func remountConflict(_ to: String) -> String? {
        for route in router.all {
            let prefix = route.mount.routePrefix
            if to.hasPrefix(prefix) || prefix.hasPrefix(to) { return prefix }
        }
        return nil
    }

    /// Moves the mount at route prefix `from` to `to` with its data, as `sys/remount` does: leases under it are
    /// revoked first (for an auth mount, every token it issued), then the mount is rebuilt at the new path over
    /// the same storage (data lives under the mount's UUID, so nothing is copied) and the table is persisted.
    ///
    /// ```swift
    /// try await core.moveMount(from: "secret/", to: "kv2/")
    /// try await core.moveMount(from: "auth/userpass/", to: "auth/people/")
    /// ```
    func moveMount(from: String, to: String) async throws {
        try checkRemount(from: from, to: to)
        try await mountLock.withLock {
            let existing = router.all
            guard let index = existing.firstIndex(where: { $0.mount.routePrefix == from }) else {
                throw LogicalError.badRequest("no matching mount at \"\(from)\"")
            }
            if let taken = remountConflict(to) {
                throw LogicalError.badRequest("path already in use at \"\(taken)\"")
            }
            let old = existing[index]
            if old.mount.kind == .credential { try await revokeTokens(issuedBy: old.mount) }
            var entry = old.mount
            entry.path = entry.kind == .credential ? String(to.dropFirst("auth/".count)) : to
            let moved = try await makeRoute(entry)
            var routes = existing
            routes[index] = moved
            try await persistMountTable(
                routes.map(\.mount).filter { $0.kind == entry.kind }.sorted { $0.path < $1.path }, kind: entry.kind)
            router.replace(routes)
            await periodic.stop(mountUUID: old.mount.uuid)
            await old.backend.cleanup()
            startPeriodicWork([moved])
        }
        logger.info("mount moved", metadata: ["from": "\(from)", "to": "\(to)"])
    }
}
