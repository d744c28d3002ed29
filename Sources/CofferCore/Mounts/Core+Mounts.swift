import CofferFramework
import CofferStorage
import Foundation

extension Core {
    static let builtinSecretTypes: Set<String> = ["system", "cubbyhole", "identity"]

    static func builtinMounts() -> [MountEntry] {
        [
            MountEntry(
                path: "sys/", type: "system", kind: .secrets,
                description: "system endpoints used for control, policy and debugging",
                accessor: "system_" + Hex.random8(), uuid: Hex.uuid()),
            MountEntry(
                path: "cubbyhole/", type: "cubbyhole", kind: .secrets, description: "per-token private secret storage",
                accessor: "cubbyhole_" + Hex.random8(), uuid: Hex.uuid(), local: true),
            MountEntry(
                path: "identity/", type: "identity", kind: .secrets, description: "identity store",
                accessor: "identity_" + Hex.random8(), uuid: Hex.uuid()),
        ]
    }

    static func builtinAuthMounts() -> [MountEntry] {
        [
            MountEntry(
                path: "token/", type: "token", kind: .credential, description: "token based credentials",
                accessor: "auth_token_" + Hex.random8(), uuid: Hex.uuid())
        ]
    }

    static func tableKey(_ kind: MountEntry.Kind) -> String { kind == .credential ? "core/auth" : "core/mounts" }

    func persistMountTable(_ entries: [MountEntry], kind: MountEntry.Kind) async throws {
        try await barrier.putJSON(Self.tableKey(kind), entries)
    }

    func mountTable(_ kind: MountEntry.Kind) -> [MountEntry] {
        router.all.map(\.mount).filter { $0.kind == kind }.sorted { $0.path < $1.path }
    }

    /// Builds backends for every persisted mount and installs them in the router.
    func loadMounts() async throws {
        var routes: [RouteEntry] = []
        for kind in [MountEntry.Kind.secrets, .credential] {
            let entries = try await barrier.getJSON([MountEntry].self, Self.tableKey(kind)) ?? []
            for entry in entries {
                routes.append(try await makeRoute(entry))
            }
        }
        router.replace(routes)
        startPeriodicWork(routes)
    }

    func makeRoute(_ entry: MountEntry) async throws -> RouteEntry {
        let storage = StorageView(barrier, prefix: entry.storagePrefix)
        let backend: any LogicalBackend
        switch (entry.kind, entry.type) {
        case (.secrets, "system"): backend = SystemBackend(core: self).backend
        case (.secrets, "cubbyhole"): backend = CubbyholeBackend(core: self).backend
        case (.secrets, "identity"): backend = IdentityBackend(core: self).backend
        case (.credential, "token"): backend = TokenBackend(core: self).backend
        default:
            guard
                let factory = configuration.catalog.first(where: {
                    $0.type == entry.type && $0.kind == backendKind(entry.kind)
                })
            else {
                throw LogicalError.badRequest("plugin not found in the catalog: \(entry.type)")
            }
            let accessor = entry.accessor
            backend = try await factory.make(
                BackendConfiguration(
                    mountPath: entry.routePrefix, mountAccessor: entry.accessor, mountUUID: entry.uuid,
                    options: entry.options ?? [:], storage: storage,
                    pluginIdentityToken: { [weak self] audience, ttl in
                        guard let self else { throw LogicalError.sealed }
                        return try await self.unsealed().pluginIssuer.token(
                            mountAccessor: accessor, audience: audience, ttl: ttl)
                    }))
        }
        try await backend.initialize(storage: storage)
        return RouteEntry(mount: entry, backend: backend, storage: storage)
    }

    func backendKind(_ kind: MountEntry.Kind) -> BackendKind { kind == .credential ? .credential : .secrets }

    /// Normalises a user-supplied mount path: no leading `/`, exactly one trailing `/`.
    static func normalizeMountPath(_ path: String) -> String {
        var result = path
        while result.hasPrefix("/") { result.removeFirst() }
        while result.hasSuffix("//") { result.removeLast() }
        if !result.hasSuffix("/") { result += "/" }
        return result
    }

    /// Parses a TTL tuning value: duration, `""`/null = unset, `"system"` = reset to 0.
    static func parseTuningTTL(_ value: JSONValue?, name: String) throws -> Int64? {
        guard let value, !value.isNull else { return nil }
        if case .string(let text) = value {
            if text.isEmpty { return nil }
            if text == "system" { return 0 }
        }
        do {
            let seconds = try DurationParser.seconds(value)
            guard seconds >= 0 else { throw DurationParser.InvalidDuration(input: "\(value)") }
            return seconds
        } catch {
            let shown = value.stringValue ?? String(decoding: value.serialized(), as: UTF8.self)
            throw LogicalError.badRequest("unable to parse \(name) of \(shown): \(error)")
        }
    }

    /// Applies enable `config` or tune fields. A mount's own `max_lease_ttl` may exceed the system maximum (Vault
    /// accepts it and the mount's value wins, docs/system.md § Tuning); only a default above the max is refused, with
    /// enable's wording or, on `tuning`, the tune endpoint's (checked only when a TTL changes).
    func applyTuning(
        _ data: [String: JSONValue], to config: inout MountConfig, kind: MountEntry.Kind, tuning: Bool = false
    ) throws {
        let before = config
        if let ttl = try Self.parseTuningTTL(data["default_lease_ttl"], name: "default TTL") {
            config.defaultLeaseTTL = ttl
        }
        if let ttl = try Self.parseTuningTTL(data["max_lease_ttl"], name: "max TTL") { config.maxLeaseTTL = ttl }
        if tuning {
            if config.defaultLeaseTTL != before.defaultLeaseTTL || config.maxLeaseTTL != before.maxLeaseTTL {
                try checkTunedTTLs(config)
            }
        } else if config.maxLeaseTTL > 0, config.defaultLeaseTTL > config.maxLeaseTTL {
            throw LogicalError.badRequest("given default lease TTL greater than given max lease TTL")
        } else if config.maxLeaseTTL == 0, config.defaultLeaseTTL > configuration.maxLeaseTTL {
            throw LogicalError.badRequest(
                "given default lease TTL greater than system max lease TTL of \(configuration.maxLeaseTTL)")
        }
        if case .bool(let value)? = data["force_no_cache"] { config.forceNoCache = value }
        if let visibility = data["listing_visibility"]?.stringValue {
            guard visibility.isEmpty || visibility == "unauth" || visibility == "hidden" else {
                throw LogicalError.badRequest("invalid listing_visibility \(visibility)")
            }
            config.listingVisibility = visibility
        }
        if let tokenType = data["token_type"]?.stringValue, !tokenType.isEmpty {
            guard kind == .credential else {
                throw LogicalError.badRequest("'token_type' can only be modified on auth mounts")
            }
            guard let type = TokenType(rawValue: tokenType), TokenType.defaultingChoices.contains(type) else {
                throw LogicalError.badRequest("invalid value for 'token_type'")
            }
            config.tokenType = type
        }
        func list(_ key: String) throws -> [String]? {
            guard let value = data[key], !value.isNull else { return nil }
            return try FieldData(raw: [key: value], schema: [key: FieldSchema(.commaStringSlice)]).stringSlice(key)
        }
        if let keys = try list("audit_non_hmac_request_keys") { config.auditNonHMACRequestKeys = keys }
        if let keys = try list("audit_non_hmac_response_keys") { config.auditNonHMACResponseKeys = keys }
        if let keys = try list("passthrough_request_headers") { config.passthroughRequestHeaders = keys }
        if let keys = try list("allowed_response_headers") { config.allowedResponseHeaders = keys }
    }

    /// `sys/mounts/<path>` and `sys/auth/<path>` enable.
    func enableMount(path rawPath: String, kind: MountEntry.Kind, data: [String: JSONValue]) async throws {
        guard let requestedType = data["type"]?.stringValue, !requestedType.isEmpty else {
            throw LogicalError.badRequest("backend type must be specified as a string")
        }
        let path = Self.normalizeMountPath(rawPath)
        guard path != "/" else { throw LogicalError.badRequest("path cannot be empty") }
        guard !path.split(separator: "/").contains(".."), !path.contains("//") else {
            throw LogicalError.badRequest("path cannot contain parent references")
        }
        for key in ["config", "options"] {
            if let value = data[key], !value.isNull, value.objectValue == nil {
                throw LogicalError.badRequest("'\(key)' must be a JSON object")
            }
        }
        var options = try Self.mountOptions(data["options"])
        let type = try resolveMountType(requestedType, kind: kind, options: &options)
        var config = MountConfig()
        if let rawConfig = data["config"]?.objectValue { try applyTuning(rawConfig, to: &config, kind: kind) }
        let entry = MountEntry(
            path: path, type: type, kind: kind, description: data["description"]?.stringValue ?? "",
            accessor: (kind == .credential ? "auth_\(type)_" : "\(type)_") + Hex.random8(),
            uuid: Hex.uuid(), local: data["local"].map { $0 == .bool(true) } ?? false,
            sealWrap: data["seal_wrap"].map { $0 == .bool(true) } ?? false, options: options, config: config)
        try await mountLock.withLock {
            let existing = router.all
            try Self.checkMountConflicts(entry, among: existing.map(\.mount))
            let route = try await makeRoute(entry)
            try await persistMountTable(mountTable(kind) + [entry], kind: kind)
            router.replace(existing + [route])
            startPeriodicWork([route])
        }
        logger.info("mount enabled", metadata: ["path": "\(entry.routePrefix)", "type": "\(type)"])
    }

    /// The `options` of an enable request as the string map Vault stores: numbers, booleans and
    /// strings are kept as text, nulls are dropped, anything else is refused.
    static func mountOptions(_ raw: JSONValue?) throws -> [String: String]? {
        guard let raw, case .object(let object) = raw else { return nil }
        var converted: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case .string(let s): converted[key] = s
            case .int(let i): converted[key] = String(i)
            case .double(let d): converted[key] = Int64(exactly: d).map { String($0) } ?? String(d)
            case .bool(let b): converted[key] = b ? "true" : "false"
            case .null: continue
            default: throw LogicalError.badRequest("options must be a map of strings")
            }
        }
        return converted
    }

    /// The catalog type an enable request names: `kv-v1`, `kv-v2` and `generic` become `kv` with a
    /// version option; built-in and unknown types are refused.
    func resolveMountType(
        _ requested: String, kind: MountEntry.Kind, options: inout [String: String]?
    ) throws -> String {
        var type = requested
        switch type {
        case "kv-v2":
            type = "kv"
            options = (options ?? [:]).merging(["version": "2"]) { _, new in new }
        case "kv-v1", "generic":
            type = "kv"
            options = (options ?? [:]).merging(["version": "1"]) { _, new in new }
        default:
            if kind == .secrets, type != "kv", options?["version"] != nil {
                throw LogicalError.badRequest("secrets engine \"\(type)\" does not allow setting a version")
            }
        }
        if kind == .secrets, Self.builtinSecretTypes.contains(type) || type == "token" {
            throw LogicalError.badRequest("plugin not found in the catalog: \(type)")
        }
        if kind == .credential, type == "token" {
            throw LogicalError.badRequest("token credential backend cannot be instantiated")
        }
        guard configuration.catalog.contains(where: { $0.type == type && $0.kind == backendKind(kind) }) else {
            throw LogicalError.badRequest("plugin not found in the catalog: \(type)")
        }
        return type
    }

    /// Refuses a new mount whose route is taken by, nested under, or an ancestor of an existing one;
    /// secrets engines may not live under `auth/` either.
    static func checkMountConflicts(_ entry: MountEntry, among mounts: [MountEntry]) throws {
        let routePrefix = entry.routePrefix
        for other in mounts {
            let otherPrefix = other.routePrefix
            if otherPrefix == routePrefix {
                throw LogicalError.badRequest("path is already in use at \(other.path)")
            }
            if routePrefix.hasPrefix(otherPrefix) {
                throw LogicalError.badRequest("cannot mount under existing mount \"\(other.path)\"")
            }
            if otherPrefix.hasPrefix(routePrefix) {
                throw LogicalError.badRequest("existing mount at \(other.path)")
            }
        }
        if entry.kind == .secrets, routePrefix.hasPrefix("auth/") || routePrefix == "auth/" {
            throw LogicalError.badRequest("cannot mount under existing mount \"auth/\"")
        }
    }

    /// Disables a mount and deletes its data; a missing mount is not an error (Vault hides it).
    func disableMount(path rawPath: String, kind: MountEntry.Kind) async throws {
        let path = Self.normalizeMountPath(rawPath)
        if kind == .credential, path == "token/" {
            throw LogicalError.badRequest("token credential backend cannot be disabled")
        }
        if kind == .secrets, ["sys/", "cubbyhole/", "identity/"].contains(path) {
            throw LogicalError.badRequest("cannot unmount \"\(path)\"")
        }
        try await mountLock.withLock {
            let existing = router.all
            guard let route = existing.first(where: { $0.mount.kind == kind && $0.mount.path == path }) else { return }
            let remaining = existing.filter { $0.mount.uuid != route.mount.uuid }
            try await persistMountTable(remaining.map(\.mount).filter { $0.kind == kind }, kind: kind)
            router.replace(remaining)
            await periodic.stop(mountUUID: route.mount.uuid)
            await route.backend.cleanup()
            if kind == .credential { try await revokeTokens(issuedBy: route.mount) }
            for key in try await route.storage.listRecursive(prefix: "") {
                try await route.storage.delete(key)
            }
        }
        logger.info("mount disabled", metadata: ["path": "\(path)"])
    }

    func tuneMount(path rawPath: String, kind: MountEntry.Kind, data: [String: JSONValue]) async throws {
        let path = Self.normalizeMountPath(rawPath)
        try await mountLock.withLock {
            let existing = router.all
            guard let index = existing.firstIndex(where: { $0.mount.kind == kind && $0.mount.path == path }) else {
                throw LogicalError.badRequest("cannot tune '\(path)': no mount entry found")
            }
            var entry = existing[index].mount
            if let options = data["options"], !options.isNull, options.objectValue == nil {
                throw LogicalError.badRequest("'options' must be a JSON object")
            }
            try applyTuning(data, to: &entry.config, kind: kind, tuning: true)
            if let description = data["description"]?.stringValue { entry.description = description }
            if let raw = data["options"]?.objectValue {
                var options = entry.options ?? [:]
                for (key, value) in raw {
                    switch value {
                    case .string(let s): options[key] = s
                    case .int(let i): options[key] = String(i)
                    default: continue
                    }
                }
                if entry.type != "kv", options["version"] != nil, entry.options?["version"] != options["version"] {
                    throw LogicalError.badRequest("secrets engine \"\(entry.type)\" does not allow setting a version")
                }
                if entry.type == "kv", let old = entry.options?["version"], let new = options["version"], old == "2",
                    new != "2"
                {
                    throw LogicalError.badRequest("cannot downgrade mount from version 2")
                }
                entry.options = options
            }
            var routes = existing
            let versionChanged = entry.options?["version"] != existing[index].mount.options?["version"]
            routes[index] =
                versionChanged
                ? try await makeRoute(entry)
                : RouteEntry(mount: entry, backend: existing[index].backend, storage: existing[index].storage)
            try await persistMountTable(routes.map(\.mount).filter { $0.kind == kind }, kind: kind)
            router.replace(routes)
            if versionChanged { startPeriodicWork([routes[index]]) }
        }
    }

    /// Effective tuning as `…/tune` reads it (system defaults filled in).
    func tuneInfo(_ entry: MountEntry) -> [String: JSONValue] {
        let limits = TokenTTL.Limits(
            config: entry.config, systemDefault: configuration.defaultLeaseTTL, systemMax: configuration.maxLeaseTTL)
        var info: [String: JSONValue] = [
            "default_lease_ttl": .int(limits.mountDefault), "max_lease_ttl": .int(limits.mountMax),
            "description": .string(entry.description), "force_no_cache": .bool(entry.config.forceNoCache),
        ]
        if entry.kind == .credential { info["token_type"] = .string(entry.config.tokenType.rawValue) }
        if let options = entry.options { info["options"] = .stringMap(options) }
        if !entry.config.listingVisibility.isEmpty {
            info["listing_visibility"] = .string(entry.config.listingVisibility)
        }
        if !entry.config.auditNonHMACRequestKeys.isEmpty {
            info["audit_non_hmac_request_keys"] = .strings(entry.config.auditNonHMACRequestKeys)
        }
        if !entry.config.auditNonHMACResponseKeys.isEmpty {
            info["audit_non_hmac_response_keys"] = .strings(entry.config.auditNonHMACResponseKeys)
        }
        if !entry.config.passthroughRequestHeaders.isEmpty {
            info["passthrough_request_headers"] = .strings(entry.config.passthroughRequestHeaders)
        }
        if !entry.config.allowedResponseHeaders.isEmpty {
            info["allowed_response_headers"] = .strings(entry.config.allowedResponseHeaders)
        }
        return info
    }
}
