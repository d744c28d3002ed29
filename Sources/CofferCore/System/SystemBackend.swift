import CofferFramework
import CofferPolicy
import Foundation

/// The `sys/` backend: mounts, auth methods, policies, capabilities and the KV preflight
/// (docs/system.md). The raw status endpoints (health, seal-status, leader, init) are served by
/// the HTTP layer from ``Core/status()``.
struct SystemBackend: Sendable {
    let core: Core
    /// `sys/remount` moves since unseal, for `sys/remount/status/<id>`.
    let migrations = RemountMigrations()

    var backend: FrameworkBackend {
        let paths =
            mountPaths(.credential) + mountPaths(.secrets) + policyPaths() + capabilityPaths() + uiPaths()
            + barrierKeyPaths() + auditPaths() + metricsPaths() + rekeyBackupPaths() + wrappingPaths()
            + leasePaths() + remountPaths() + openAPIPaths()
        // Vault's root-protected system paths, including those Coffer does not implement yet
        // (docs/policies.md § Sudo and root-protected paths).
        return FrameworkBackend(
            kind: .secrets, paths: paths, help: "The system backend: control, policy and debugging.",
            sudoPaths: ["auth/*", "rotate", "seal", "step-down", "raw*", "audit", "audit/*"])
    }

    // MARK: mounts

    func listMounts(_ kind: MountEntry.Kind) -> LogicalResponse {
        var data: [String: JSONValue] = [:]
        for entry in core.mountTable(kind) { data[entry.path] = .object(entry.info()) }
        return LogicalResponse(data: data, injectDataAtTopLevel: true)
    }

    func mountEntry(_ kind: MountEntry.Kind, _ rawPath: String) throws -> MountEntry {
        let path = Core.normalizeMountPath(rawPath)
        guard let entry = core.mountTable(kind).first(where: { $0.path == path }) else {
            throw LogicalError.badRequest("No \(kind == .credential ? "auth" : "secret") engine mount at \(path)")
        }
        return entry
    }

    func readMount(_ kind: MountEntry.Kind, _ path: String) throws -> LogicalResponse {
        LogicalResponse(data: try mountEntry(kind, path).info(), injectDataAtTopLevel: true)
    }

    func readTune(_ kind: MountEntry.Kind, _ path: String) throws -> LogicalResponse {
        let entry: MountEntry
        do {
            entry = try mountEntry(kind, path)
        } catch {
            throw LogicalError.badRequest("cannot fetch sysview for path \"\(Core.normalizeMountPath(path))\"")
        }
        return LogicalResponse(data: core.tuneInfo(entry), injectDataAtTopLevel: true)
    }

    // MARK: policies

    func policyName(_ fields: FieldData) throws -> (String, [String]) {
        let raw = try fields.string("name")
        guard !raw.isEmpty else { throw LogicalError.badRequest("policy name must be provided in the URL") }
        let lower = raw.lowercased()
        return (lower, lower == raw ? [] : ["policy name was converted to \(lower)"])
    }

    func readPolicy(_ fields: FieldData, key: String) async throws -> LogicalResponse? {
        let started = ContinuousClock.now
        defer { core.metrics.policyOperation(.getPolicy, milliseconds: CofferMetrics.milliseconds(since: started)) }
        let (name, _) = try policyName(fields)
        if name == "root" {
            return LogicalResponse(data: ["name": "root", key: ""], injectDataAtTopLevel: true)
        }
        guard let policy = try await core.unsealed().policies.policy(name) else { return nil }
        return LogicalResponse(data: ["name": .string(name), key: .string(policy.text)], injectDataAtTopLevel: true)
    }

    func writePolicy(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let started = ContinuousClock.now
        defer { core.metrics.policyOperation(.setPolicy, milliseconds: CofferMetrics.milliseconds(since: started)) }
        var (name, warnings) = try policyName(fields)
        if name == "root" { throw LogicalError.badRequest("cannot update \"root\" policy") }
        if PolicyStore.reservedNames.contains(name) {
            throw LogicalError.badRequest("cannot update \"\(name)\" policy")
        }
        var text = try fields.string("policy")
        if text.isEmpty, fields.has("rules") {
            text = try fields.string("rules")
            warnings.append("'rules' is deprecated, please use 'policy' instead")
        }
        guard !text.isEmpty else { throw LogicalError.badRequest("'policy' parameter not supplied or empty") }
        try await core.unsealed().policies.write(name: name, text: text)
        return warnings.isEmpty ? nil : LogicalResponse(warnings: warnings)
    }

    func deletePolicy(_ fields: FieldData) async throws -> LogicalResponse? {
        let started = ContinuousClock.now
        defer { core.metrics.policyOperation(.deletePolicy, milliseconds: CofferMetrics.milliseconds(since: started)) }
        let (name, _) = try policyName(fields)
        if name == "root" { throw LogicalError.badRequest("cannot delete \"root\" policy") }
        if name == "default" { throw LogicalError.badRequest("cannot delete default policy") }
        try await core.unsealed().policies.delete(name: name)
        return nil
    }

    // MARK: capabilities

    func capabilities(_ entry: TokenEntry, _ fields: FieldData) async throws -> LogicalResponse {
        var paths = try fields.stringSlice("paths")
        if paths.isEmpty { paths = try fields.stringSlice("path") }
        guard !paths.isEmpty else { throw LogicalError.badRequest("paths must be supplied") }
        let acl = try await core.acl(for: entry)
        var data: [String: JSONValue] = [:]
        for path in paths {
            var trimmed = path
            while trimmed.hasPrefix("/") { trimmed.removeFirst() }
            data[path] = .strings(acl.capabilities(path: trimmed))
        }
        if paths.count == 1 { data["capabilities"] = data[paths[0]] }
        return LogicalResponse(data: data, injectDataAtTopLevel: true)
    }

    // MARK: KV preflight

    func preflightDenied(_ path: String) -> LogicalError {
        LogicalError(
            status: 403,
            messages: [
                "preflight capability check returned 403, please ensure client's policies grant access to path \"\(path)\""
            ])
    }

    func uiMount(_ request: LogicalRequest, path rawPath: String) async throws -> LogicalResponse? {
        guard let token = request.clientToken, !token.isEmpty else { throw LogicalError.permissionDenied }
        guard let entry = try await core.resolveToken(token, remoteAddress: request.remoteAddress) else {
            throw LogicalError.permissionDenied
        }
        var path = rawPath
        while path.hasPrefix("/") { path.removeFirst() }
        if !path.hasSuffix("/") { path += "/" }
        guard let (route, _) = core.router.match(path) else { throw preflightDenied(path) }
        let acl = try await core.acl(for: entry)
        guard acl.grantsAnything(underMount: route.mount.routePrefix) else { throw preflightDenied(path) }
        var data = route.mount.info()
        data["path"] = .string(route.mount.path)
        return LogicalResponse(data: data)
    }

    func uiMounts(_ request: LogicalRequest) async throws -> LogicalResponse? {
        var entry: TokenEntry? = nil
        if let token = request.clientToken, !token.isEmpty {
            entry = try await core.resolveToken(token, remoteAddress: request.remoteAddress)
        }
        var acl: ACL? = nil
        if let entry { acl = try await core.acl(for: entry) }
        var secret: [String: JSONValue] = [:]
        var auth: [String: JSONValue] = [:]
        for route in core.router.all {
            let mount = route.mount
            let info: [String: JSONValue]
            if let acl, acl.grantsAnything(underMount: mount.routePrefix) {
                info = mount.info()
            } else if mount.config.listingVisibility == "unauth" {
                info = [
                    "type": .string(mount.type), "description": .string(mount.description),
                    "options": .stringMap(mount.options),
                ]
            } else {
                continue
            }
            if mount.kind == .credential {
                auth[mount.path] = .object(info)
            } else {
                secret[mount.path] = .object(info)
            }
        }
        return LogicalResponse(data: ["secret": .object(secret), "auth": .object(auth)])
    }
}
