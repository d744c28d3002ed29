import CofferFramework
import Foundation

extension Core {
    /// Lower-cases, trims, de-duplicates and sorts policy names; `root` alone wins.
    static func sanitizePolicies(_ policies: [String], addDefault: Bool) -> [String] {
        var set = Set(policies.map { $0.trimmedWhitespace.lowercased() }.filter { !$0.isEmpty })
        if set.contains("root") { return ["root"] }
        if addDefault { set.insert("default") }
        return set.sorted()
    }

    /// The `auth` block of a response (vault-api §1.5).
    func authBlock(id: String, entry: TokenEntry, identityPolicies: [String]) -> [String: JSONValue] {
        var block: [String: JSONValue] = [
            "client_token": .string(id), "accessor": .string(entry.accessor),
            // Token policies are already sorted and unique; only identity policies need merging.
            "policies": .strings(
                identityPolicies.isEmpty ? entry.policies : Array(Set(entry.policies + identityPolicies)).sorted()),
            "token_policies": .strings(entry.policies), "metadata": .stringMap(entry.meta),
            "lease_duration": .int(entry.ttl), "renewable": .bool(entry.renewable),
            "entity_id": .string(entry.entityID),
            "token_type": .string(entry.type), "orphan": .bool(entry.parentHash == nil), "mfa_requirement": .null,
            "num_uses": .int(entry.numUses),
        ]
        if !identityPolicies.isEmpty { block["identity_policies"] = .strings(identityPolicies) }
        return block
    }

    /// Turns an auth method's ``Auth`` into an orphan token (vault-api §3.7).
    func issueLoginToken(_ auth: Auth, mount: MountEntry, request: CoreRequest) async throws
        -> ([String: JSONValue], [String])
    {
        let unsealed = try unsealed()
        var entityID = ""
        var identityPolicies: [String] = []
        if let alias = auth.alias {
            let entity = try await unsealed.identity.entityForLogin(
                alias: alias, groupAliases: auth.groupAliases, mount: mount)
            if entity.disabled { throw LogicalError.forbidden("permission denied") }
            entityID = entity.id
            identityPolicies = entity.policies.sorted()
        }
        let policies = Self.sanitizePolicies(auth.policies, addDefault: !auth.noDefaultPolicy)
        if policies.contains("root") { throw LogicalError.badRequest("auth methods cannot create root tokens") }
        for name in policies where PolicyStore.reservedNames.contains(name) {
            throw LogicalError.badRequest("cannot assign policy \"\(name)\"")
        }
        let limits = TokenTTL.Limits(
            config: mount.config, systemDefault: configuration.defaultLeaseTTL, systemMax: configuration.maxLeaseTTL)
        let (ttl, warning) = TokenTTL.initial(
            requested: auth.ttl, period: auth.period, explicitMax: auth.explicitMaxTTL, methodMax: auth.maxTTL,
            limits: limits)
        var tokenType = auth.tokenType.isEmpty ? mount.config.tokenType : auth.tokenType
        if tokenType == "default-service" { tokenType = "service" }
        if tokenType == "default-batch" { tokenType = "batch" }
        let mountName = mount.path.utf8.map { $0 == UInt8(ascii: "/") ? UInt8(ascii: "-") : $0 }
        var displayName = String(decoding: mountName, as: UTF8.self) + auth.displayName
        while displayName.hasSuffix("-") { displayName.removeLast() }
        let accessor = tokenType == "batch" ? "" : TokenStore.newAccessor()
        var entry = TokenEntry(
            idHash: "", accessor: accessor, parentHash: nil, policies: policies, path: "auth/\(mount.path)login",
            meta: auth.metadata.isEmpty ? nil : auth.metadata, displayName: displayName, numUses: auth.numUses,
            creationTime: now, ttl: ttl, explicitMaxTTL: auth.explicitMaxTTL, period: auth.period, maxTTL: auth.maxTTL,
            renewable: tokenType == "service" && auth.renewable && ttl > 0, type: tokenType,
            boundCIDRs: auth.boundCIDRs,
            entityID: entityID)
        entry.authMountAccessor = mount.accessor
        entry.auth = auth
        let id: String
        if tokenType == "batch" {
            id = try unsealed.tokens.makeBatchToken(entry)
        } else {
            id = TokenStore.newServiceTokenID()
            entry = try await unsealed.tokens.create(entry, id: id)
        }
        return (authBlock(id: id, entry: entry, identityPolicies: identityPolicies), warning.map { [$0] } ?? [])
    }

    func revokeTokens(issuedBy mount: MountEntry) async throws {
        try await unsealed().tokens.revokeAll(issuedByMount: mount.accessor)
    }
}
