import CofferFramework
import CofferStorage
import Foundation

/// The token store's HTTP surface, `auth/token/…`; creation is in `TokenBackend+Create.swift`.
struct TokenBackend: Sendable {
    let core: Core

    var backend: FrameworkBackend {
        let tokenFields: [String: FieldSchema] = [
            "id": FieldSchema(.string, description: "Token ID (sudo only)"),
            "role_name": FieldSchema(.string, description: "Token role"),
            "policies": FieldSchema(.commaStringSlice, description: "Policies for the token"),
            "meta": FieldSchema(.keyPairs, description: "Metadata"),
            "no_parent": FieldSchema(.bool, description: "Create an orphan token (sudo)"),
            "no_default_policy": FieldSchema(.bool, description: "Do not attach the default policy"),
            "renewable": FieldSchema(.bool, default: true, description: "Allow renewal"),
            "ttl": FieldSchema(.duration, description: "Time to live"),
            "lease": FieldSchema(.duration, description: "Deprecated alias of ttl", deprecated: true),
            "type": FieldSchema(.string, description: "service or batch"),
            "explicit_max_ttl": FieldSchema(.duration, description: "Hard lifetime cap"),
            "display_name": FieldSchema(.string, description: "Display name"),
            "num_uses": FieldSchema(.int, description: "Use limit, 0 = unlimited"),
            "period": FieldSchema(.duration, description: "Renewal period (sudo)"),
            "entity_alias": FieldSchema(.string, description: "Entity alias (roles only)"),
        ]
        let tokenField: [String: FieldSchema] = ["token": FieldSchema(.string, description: "Token to act on")]
        let accessorField: [String: FieldSchema] = ["accessor": FieldSchema(.string, description: "Token accessor")]
        let incrementField: [String: FieldSchema] = [
            "increment": FieldSchema(.duration, description: "Requested TTL extension")
        ]
        return FrameworkBackend(
            kind: .credential,
            paths: [
                PathDefinition(
                    "create-orphan", fields: tokenFields,
                    operations: [
                        .update: PathOperation("Create an orphan token") { try await create($0, $1, orphanPath: true) }
                    ],
                    synopsis: "Create an orphan token"),
                PathDefinition(
                    "create/{role_name}", fields: tokenFields,
                    operations: [
                        .update: PathOperation("Create a token from a role") {
                            try await create($0, $1, orphanPath: false)
                        }
                    ],
                    synopsis: "Create a token from a role"),
                PathDefinition(
                    "create", fields: tokenFields,
                    operations: [
                        .update: PathOperation("Create a token") { try await create($0, $1, orphanPath: false) }
                    ],
                    synopsis: "Create a token"),
                PathDefinition(
                    "lookup-self", fields: tokenField,
                    operations: [
                        .read: PathOperation("Look up the calling token") { request, _ in try await lookupSelf(request)
                        },
                        .update: PathOperation("Look up the calling token") { request, _ in
                            try await lookupSelf(request)
                        },
                    ], synopsis: "Look up the calling token"),
                PathDefinition(
                    "lookup", fields: tokenField,
                    operations: [
                        .read: PathOperation("Look up a token") { try await lookupOther($0, $1) },
                        .update: PathOperation("Look up a token") { try await lookupOther($0, $1) },
                    ], synopsis: "Look up a token"),
                PathDefinition(
                    "lookup-accessor", fields: accessorField,
                    operations: [
                        .update: PathOperation("Look up a token by accessor") { try await lookupAccessor($0, $1) }
                    ],
                    synopsis: "Look up a token by accessor"),
                PathDefinition(
                    "renew-self", fields: tokenField.merging(incrementField) { a, _ in a },
                    operations: [
                        .update: PathOperation("Renew the calling token") { request, fields in
                            try await renew(
                                request, token: request.clientToken, increment: fields.duration("increment"))
                        }
                    ], synopsis: "Renew the calling token"),
                PathDefinition(
                    "renew", fields: tokenField.merging(incrementField) { a, _ in a },
                    operations: [
                        .update: PathOperation("Renew a token") { request, fields in
                            let token = try fields.string("token")
                            guard !token.isEmpty else { throw LogicalError.badRequest("missing token ID") }
                            return try await renew(request, token: token, increment: fields.duration("increment"))
                        }
                    ], synopsis: "Renew a token"),
                PathDefinition(
                    "renew-accessor", fields: accessorField.merging(incrementField) { a, _ in a },
                    operations: [
                        .update: PathOperation("Renew a token by accessor") { request, fields in
                            try await renewAccessor(request, fields)
                        }
                    ], synopsis: "Renew a token by accessor"),
                PathDefinition(
                    "revoke-self",
                    operations: [
                        .update: PathOperation("Revoke the calling token and its children") { request, _ in
                            if let entry = try await core.callerEntry(request) { try await revoke(entry) }
                            return nil
                        }
                    ], synopsis: "Revoke the calling token"),
                PathDefinition(
                    "revoke", fields: tokenField,
                    operations: [
                        .update: PathOperation("Revoke a token and its children") { request, fields in
                            let token = try fields.string("token")
                            guard !token.isEmpty else { throw LogicalError.badRequest("missing token ID") }
                            if let entry = try await core.unsealed().tokens.lookup(id: token, now: core.now) {
                                try await revoke(entry)
                            }
                            return nil
                        }
                    ], synopsis: "Revoke a token"),
                PathDefinition(
                    "revoke-accessor", fields: accessorField,
                    operations: [
                        .update: PathOperation("Revoke a token by accessor") { request, fields in
                            let accessor = try fields.string("accessor")
                            guard !accessor.isEmpty else { throw LogicalError.badRequest("missing accessor") }
                            guard let entry = try await core.unsealed().tokens.lookup(accessor: accessor, now: core.now)
                            else {
                                return LogicalResponse(warnings: ["No token found with this accessor"])
                            }
                            try await revoke(entry)
                            return nil
                        }
                    ], synopsis: "Revoke a token by accessor"),
                PathDefinition(
                    "revoke-orphan", fields: tokenField,
                    operations: [
                        .update: PathOperation("Revoke a token, orphaning its children") { request, fields in
                            guard request.identity?.rootPrivileges == true else {
                                throw LogicalError.badRequest("root or sudo privileges required to revoke and orphan")
                            }
                            let token = try fields.string("token")
                            guard !token.isEmpty else { throw LogicalError.badRequest("missing token ID") }
                            let tokens = try core.unsealed().tokens
                            guard let entry = try await tokens.lookup(id: token, now: core.now), !entry.isBatch else {
                                throw LogicalError.badRequest("token to revoke not found")
                            }
                            try await tokens.revokeOrphan(hash: entry.idHash)
                            return nil
                        }
                    ], synopsis: "Revoke a token without its children"),
                PathDefinition(
                    "accessors/?",
                    operations: [
                        .list: PathOperation("List token accessors") { _, _ in
                            .list(try await core.unsealed().tokens.accessorEntries().map(\.accessor).sorted())
                        }
                    ], synopsis: "List token accessors"),
                PathDefinition(
                    "roles/?",
                    operations: [
                        .list: PathOperation("List token roles") { request, _ in
                            .list(try await request.storage.list(prefix: "roles/").filter { !$0.hasSuffix("/") })
                        }
                    ], synopsis: "List token roles"),
                PathDefinition(
                    "roles/{role_name}", fields: TokenRolePaths.fields,
                    operations: [
                        .read: PathOperation("Read a token role") { try await TokenRolePaths.read($0, $1) },
                        .create: PathOperation("Create a token role") { try await TokenRolePaths.write($0, $1) },
                        .update: PathOperation("Update a token role") { try await TokenRolePaths.write($0, $1) },
                        .delete: PathOperation("Delete a token role") { request, fields in
                            try await request.storage.delete("roles/" + fields.string("role_name").lowercased())
                            return nil
                        },
                    ],
                    existenceCheck: { request, fields in
                        try await request.storage.get("roles/" + fields.string("role_name").lowercased()) != nil
                    }, synopsis: "Manage token roles"),
                PathDefinition(
                    "tidy",
                    operations: [
                        .update: PathOperation("Clean up token indexes") { request, _ in
                            try await tidy()
                            return LogicalResponse(
                                warnings: [
                                    "Tidy operation successfully completed before this answer: index entries of expired or revoked tokens were removed and tokens whose parent is gone were revoked."
                                ],
                                statusCode: 202)
                        }
                    ], synopsis: "Clean up token indexes"),
            ],
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

    /// Removes accessor index entries whose token no longer exists, and revokes tokens whose parent is gone.
    func tidy() async throws {
        try await core.unsealed().tokens.tidy(now: core.now)
    }
}
