import CofferFramework
import Foundation

extension Core {
    /// Lower-cases, trims, de-duplicates and sorts policy names; `root` alone wins (``TokenParams``' rule).
    static func sanitizePolicies(_ policies: [String], addDefault: Bool) -> [String] {
        TokenParams.sanitizedPolicies(policies, addDefault: addDefault)
    }

    /// The `auth` block of a response (docs/http-api.md § The auth block).
    func authBlock(id: String, entry: TokenEntry, identityPolicies: [String]) -> [String: JSONValue] {
        var block: [String: JSONValue] = [
            "client_token": .string(id), "accessor": .string(entry.accessor),
            // Token policies are already sorted and unique; only identity policies need merging.
            "policies": .strings(
                identityPolicies.isEmpty ? entry.policies : Array(Set(entry.policies + identityPolicies)).sorted()),
            "token_policies": .strings(entry.policies), "metadata": .stringMap(entry.meta),
            "lease_duration": .int(entry.ttl), "renewable": .bool(entry.renewable),
            "entity_id": .string(entry.entityID),
            "token_type": .string(entry.type.rawValue), "orphan": .bool(entry.parentHash == nil),
            "mfa_requirement": .null,
            "num_uses": .int(entry.numUses),
        ]
        if !identityPolicies.isEmpty { block["identity_policies"] = .strings(identityPolicies) }
        return block
    }

    /// Turns an auth method's ``Auth`` into an orphan token through the shared ``TokenIssuer``.
    func issueLoginToken(_ auth: Auth, mount: MountEntry, request: CoreRequest) async throws
        -> ([String: JSONValue], [String])
    {
        let (entityID, identityPolicies) = try await loginEntity(auth, mount: mount)
        let policies = Self.sanitizePolicies(auth.policies, addDefault: !auth.noDefaultPolicy)
        if policies.contains("root") { throw LogicalError.badRequest("auth methods cannot create root tokens") }
        var order = TokenIssuer.Order(
            policies: policies,
            // The login request's own path, as Vault records it: lease ids are `<path>/h<hash>` (docs/leases.md).
            path: (try? Self.normalize(request.path)) ?? "auth/\(mount.path)login",
            displayName: Self.loginDisplayName(mountPath: mount.path, auth.displayName), mountConfig: mount.config)
        order.meta = auth.metadata
        order.type = auth.tokenType.resolved(mountDefault: mount.config.tokenType)
        order.ttl = auth.ttl
        order.maxTTL = auth.maxTTL
        order.explicitMaxTTL = auth.explicitMaxTTL
        order.period = auth.period
        order.numUses = auth.numUses
        order.renewable = auth.renewable
        order.boundCIDRs = auth.boundCIDRs
        order.entityID = entityID
        order.authMountAccessor = mount.accessor
        order.auth = auth
        let issued = try await TokenIssuer(core: self).issue(order)
        return (authBlock(id: issued.id, entry: issued.entry, identityPolicies: identityPolicies), issued.warnings)
    }

    /// The entity a login's alias belongs to (created on first login) and its policies; none without an alias.
    func loginEntity(_ auth: Auth, mount: MountEntry) async throws -> (id: String, policies: [String]) {
        guard let alias = auth.alias else { return ("", []) }
        let identity = try unsealed().identity
        let entity = try await identity.entityForLogin(alias: alias, groupAliases: auth.groupAliases, mount: mount)
        if entity.disabled { throw LogicalError.forbidden("permission denied") }
        return (entity.id, try await identity.policies(of: entity))
    }

    /// `<mount path with dashes><method's name>`, e.g. `azure-<oid>`, without trailing dashes.
    static func loginDisplayName(mountPath: String, _ name: String) -> String {
        let mountName = mountPath.utf8.map { $0 == UInt8(ascii: "/") ? UInt8(ascii: "-") : $0 }
        var displayName = String(decoding: mountName, as: UTF8.self) + name
        while displayName.hasSuffix("-") { displayName.removeLast() }
        return displayName
    }

    func revokeTokens(issuedBy mount: MountEntry) async throws {
        try await unsealed().tokens.revokeAll(issuedByMount: mount.accessor)
    }
}
