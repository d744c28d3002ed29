import CofferFramework
import CofferStorage
import Foundation

/// The token store's HTTP surface, `auth/token/…`; creation is in `TokenBackend+Create.swift`.
struct TokenBackend: Sendable {
    let core: Core

    var backend: FrameworkBackend {
        FrameworkBackend(
            kind: .credential,
            paths: createPaths() + lookupPaths() + renewPaths() + revokePaths() + accessorPaths() + rolePaths()
                + tidyPaths(),
            help: "The token credential backend is always enabled and built into Coffer.",
            sudoPaths: ["accessors*", "revoke-orphan*"])
    }

    // MARK: lookup

    func tokenInfo(_ entry: TokenEntry, id: String) async throws -> [String: JSONValue] {
        let now = core.now
        var data: [String: JSONValue] = [
            "id": .string(id), "accessor": .string(entry.accessor), "policies": .strings(entry.policies),
            "path": .string(entry.path), "meta": .stringMap(entry.meta), "display_name": .string(entry.displayName),
            "num_uses": .int(entry.numUses), "orphan": .bool(entry.parentHash == nil),
            "creation_time": .int(Int64(entry.creationTime)), "creation_ttl": .int(entry.creationTTL),
            "expire_time": entry.expireTime.map { .string(RFC3339.string(unixSeconds: $0)) } ?? .null,
            "ttl": .int(entry.remainingTTL(now: now)), "explicit_max_ttl": .int(entry.explicitMaxTTL),
            "entity_id": .string(entry.entityID), "type": .string(entry.type.rawValue),
            "issue_time": .string(RFC3339.string(unixSeconds: entry.creationTime)), "renewable": .bool(entry.renewable),
        ]
        if let last = entry.lastRenewalTime {
            data["last_renewal_time"] = .int(Int64(last))
            data["last_renewal"] = .string(RFC3339.string(unixSeconds: last))
        }
        if entry.period > 0 { data["period"] = .int(entry.period) }
        if let role = entry.role { data["role"] = .string(role) }
        if !entry.boundCIDRs.isEmpty { data["bound_cidrs"] = .strings(entry.boundCIDRs) }
        let (_, identityPolicies) = try await core.effectivePolicies(entry)
        if !identityPolicies.isEmpty { data["identity_policies"] = .strings(identityPolicies) }
        return data
    }

    func lookupSelf(_ request: LogicalRequest) async throws -> LogicalResponse? {
        guard let token = request.clientToken, let entry = try await core.callerEntry(request) else {
            throw LogicalError.invalidToken
        }
        return LogicalResponse(data: try await tokenInfo(entry, id: token))
    }

    func lookupOther(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        var token = try fields.string("token")
        if token.isEmpty {
            guard request.operation == .read, let own = request.clientToken else {
                throw LogicalError.badRequest("missing token ID")
            }
            token = own
        }
        guard let entry = try await core.unsealed().tokens.lookup(id: token, now: core.now) else {
            throw LogicalError(status: 403, messages: ["bad token"])
        }
        return LogicalResponse(data: try await tokenInfo(entry, id: token))
    }

    func lookupAccessor(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let accessor = try fields.string("accessor")
        guard !accessor.isEmpty else { throw LogicalError.badRequest("missing accessor") }
        guard let entry = try await core.unsealed().tokens.lookup(accessor: accessor, now: core.now) else {
            throw LogicalError(status: 400, messages: ["invalid accessor"], isMultiError: true)
        }
        return LogicalResponse(data: try await tokenInfo(entry, id: ""))
    }

    // MARK: renew / revoke

    func renewAccessor(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let accessor = try fields.string("accessor")
        guard !accessor.isEmpty else { throw LogicalError.badRequest("missing accessor") }
        guard let entry = try await core.unsealed().tokens.lookup(accessor: accessor, now: core.now) else {
            throw LogicalError(status: 400, messages: ["invalid accessor"], isMultiError: true)
        }
        return try await renewEntry(entry, id: "", increment: fields.duration("increment"), request: request)
    }

    func renew(_ request: LogicalRequest, token: String?, increment: Int64) async throws -> LogicalResponse? {
        guard let token else { throw LogicalError.invalidToken }
        if token.hasPrefix("hvb.") { throw LogicalError.badRequest("batch tokens cannot be renewed") }
        guard let entry = try await core.unsealed().tokens.lookup(id: token, now: core.now) else {
            if request.path == "renew-self" { throw LogicalError.invalidToken }
            throw LogicalError.badRequest("token not found")
        }
        return try await renewEntry(entry, id: token, increment: increment, request: request)
    }

    func renewEntry(_ entry: TokenEntry, id: String, increment: Int64, request: LogicalRequest) async throws
        -> LogicalResponse?
    {
        if entry.isBatch { throw LogicalError.badRequest("batch tokens cannot be renewed") }
        guard entry.renewable, entry.ttl > 0 else { throw LogicalError.badRequest("lease is not renewable") }
        if increment < 0 { throw LogicalError.badRequest("increment must be positive") }
        let unsealed = try core.unsealed()
        var updated = entry
        var methodMax = entry.maxTTL
        var baseTTL = entry.creationTTL
        var period = entry.period
        var limitsConfig = MountConfig()
        if let accessor = entry.authMountAccessor {
            guard let route = core.router.route(accessor: accessor), let auth = entry.auth else {
                throw LogicalError.badRequest("no handler for the auth method that issued this token")
            }
            var methodRequest = request
            methodRequest.mountPoint = route.mount.routePrefix
            methodRequest.mountAccessor = route.mount.accessor
            methodRequest.mountType = route.mount.type
            methodRequest.storage = route.storage
            methodRequest.path = "login"
            let renewed = try await route.backend.renew(auth, request: methodRequest)
            // A renewal reports the caller's external groups again (docs/identity.md § External groups).
            if !entry.entityID.isEmpty, let entity = try await unsealed.identity.entity(id: entry.entityID) {
                _ = try await unsealed.identity.refreshExternalGroups(
                    entity, names: renewed.groupAliases.map(\.name), mountAccessor: route.mount.accessor)
            }
            updated.auth = renewed
            methodMax = renewed.maxTTL
            baseTTL = renewed.ttl
            period = renewed.period
            updated.period = period
            updated.maxTTL = methodMax
            limitsConfig = route.mount.config
        } else if let mount = core.router.route(accessor: request.mountAccessor)?.mount {
            limitsConfig = mount.config
        }
        let limits = TokenTTL.Limits(
            config: limitsConfig, systemDefault: core.configuration.defaultLeaseTTL,
            systemMax: core.configuration.maxLeaseTTL)
        let now = core.now
        let (ttl, warning, hardExpiry) = TokenTTL.renewal(
            increment: increment, baseTTL: baseTTL, period: period, explicitMax: entry.explicitMaxTTL,
            methodMax: methodMax, creationTime: entry.creationTime, now: now, limits: limits)
        updated.ttl = ttl
        // Capped at the max: the token ends exactly there, even when less than a whole second is reported.
        updated.expireTime = hardExpiry ?? now + Double(ttl)
        updated.lastRenewalTime = now
        // Applied to the entry as stored now, under the token's lock: a revocation or use since `entry` was read
        // wins, and a revoked token is never written back.
        let renewal = updated
        guard
            let stored = try await unsealed.tokens.modify(
                hash: entry.idHash,
                { current in
                    current.ttl = renewal.ttl
                    current.expireTime = renewal.expireTime
                    current.lastRenewalTime = renewal.lastRenewalTime
                    current.auth = renewal.auth
                    current.period = renewal.period
                    current.maxTTL = renewal.maxTTL
                })
        else { throw LogicalError.invalidToken }
        updated = stored
        let (_, identityPolicies) = try await core.effectivePolicies(updated)
        return .issuedToken(
            auth: core.authBlock(id: id, entry: updated, identityPolicies: identityPolicies),
            warnings: warning.map { [$0] } ?? [])
    }

    func revoke(_ entry: TokenEntry) async throws {
        if entry.isBatch { throw LogicalError.badRequest("batch tokens cannot be revoked") }
        try await core.unsealed().tokens.revokeTree(hash: entry.idHash)
    }

    /// Starts cleaning the token indexes in the background (`TokenStore+Tidy.swift`); false when a pass is running.
    func startTidy() throws -> Bool {
        let core = self.core
        return try core.unsealed().tokens.startTidy(clock: { core.now }, logger: core.logger)
    }
}
