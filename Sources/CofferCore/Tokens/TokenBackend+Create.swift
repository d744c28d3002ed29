import CofferFramework

/// `auth/token/create`, `create/<role>` and `create-orphan`: the request is parsed (``TokenCreateRequest``), its
/// policies resolved from the role or the parent, and the token minted by the shared ``TokenIssuer``.
extension TokenBackend {
    func create(_ request: LogicalRequest, _ fields: FieldData, orphanPath: Bool) async throws -> LogicalResponse? {
        guard let parent = try await core.callerEntry(request) else { throw LogicalError.invalidToken }
        if parent.isBatch { throw LogicalError.badRequest("batch tokens cannot create more tokens") }
        if parent.numUses > 0 { throw LogicalError.badRequest("restricted use token cannot generate child tokens") }
        let role = try await createRole(request, fields, orphanPath: orphanPath)
        let sudo = request.identity?.rootPrivileges ?? false
        var create = try TokenCreateRequest(fields, orphanPath: orphanPath)
        try create.checkPrivileges(sudo: sudo, hasRole: role != nil)
        var policies: [String]
        if let role {
            create.apply(role)
            policies = try rolePolicies(create, role: role, parent: parent, sudo: sudo)
        } else {
            policies = try parentPolicies(create, parent: parent, sudo: sudo)
        }
        if create.noDefaultPolicy { policies.removeAll { $0 == "default" } }
        if policies.contains("root") {
            guard parent.isRoot else {
                throw LogicalError.badRequest("root tokens may not be created without parent token being root")
            }
            policies = ["root"]
        }
        let type = try create.resolvedType(role: role, policies: policies)
        let order = createOrder(create, policies: policies, type: type, role: role, parent: parent, request: request)
        let issued = try await TokenIssuer(core: core).issue(order)
        var warnings = issued.warnings
        let unsealed = try core.unsealed()
        for name in policies where name != "root" && name != "default" {
            if try await unsealed.policies.policy(name) == nil { warnings.append("Policy \"\(name)\" does not exist") }
        }
        let (_, identityPolicies) = try await core.effectivePolicies(issued.entry)
        return .issuedToken(
            auth: core.authBlock(id: issued.id, entry: issued.entry, identityPolicies: identityPolicies),
            warnings: warnings)
    }

    /// The role named by the path or the body, or nil for none.
    func createRole(_ request: LogicalRequest, _ fields: FieldData, orphanPath: Bool) async throws -> TokenRole? {
        var roleName = try fields.string("role_name")
        guard !roleName.isEmpty else { return nil }
        if orphanPath { roleName = roleName.lowercased() }
        guard let role = try await request.storage.getJSON(TokenRole.self, "roles/" + roleName.lowercased()) else {
            throw LogicalError.badRequest("unknown role \(roleName)")
        }
        return role
    }

    /// A role's tokens take the requested policies (else the role's allowed ones, else the parent's), each within
    /// the role's allowed and disallowed lists and globs; without allowed lists, within the parent's unless sudo.
    func rolePolicies(_ create: TokenCreateRequest, role: TokenRole, parent: TokenEntry, sudo: Bool) throws
        -> [String]
    {
        let allowed = role.allowedPolicies.map { $0.lowercased() }
        let disallowed = role.disallowedPolicies.map { $0.lowercased() }
        let chosen = Core.sanitizePolicies(
            (create.policies ?? (allowed.isEmpty ? parent.policies : allowed)).map { $0.lowercased() },
            addDefault: false)
        for name in chosen where name != "default" {
            if disallowed.contains(name)
                || role.disallowedPoliciesGlob.contains(where: { TokenRole.globMatch($0, name) })
            {
                throw LogicalError.badRequest("token policy \"\(name)\" is disallowed by this role")
            }
            if !allowed.isEmpty || !role.allowedPoliciesGlob.isEmpty, !allowed.contains(name),
                !role.allowedPoliciesGlob.contains(where: { TokenRole.globMatch($0, name) })
            {
                throw LogicalError.badRequest(
                    "token policies (\(chosen)) must be subset of the role's allowed policies (\(allowed)) or glob policies (\(role.allowedPoliciesGlob))"
                )
            }
            if allowed.isEmpty, role.allowedPoliciesGlob.isEmpty, !sudo, !parent.policies.contains(name),
                !parent.isRoot
            {
                throw LogicalError.badRequest("child policies must be subset of parent")
            }
        }
        let addDefault =
            !(create.noDefaultPolicy || role.token.noDefaultPolicy) && !role.disallowedPolicies.contains("default")
        return Core.sanitizePolicies(chosen, addDefault: addDefault)
    }

    /// Without a role: the requested policies, a subset of the parent's unless sudo or root; else the parent's.
    func parentPolicies(_ create: TokenCreateRequest, parent: TokenEntry, sudo: Bool) throws -> [String] {
        guard let requested = create.policies else { return parent.policies }
        let wanted = Core.sanitizePolicies(requested, addDefault: false)
        if !sudo, !parent.isRoot {
            let parentSet = Set(parent.policies)
            if !wanted.allSatisfy({ parentSet.contains($0) || $0 == "default" }) {
                throw LogicalError.badRequest("child policies must be subset of parent")
            }
        }
        let addDefault = !create.noDefaultPolicy && (sudo || parent.isRoot || parent.policies.contains("default"))
        return Core.sanitizePolicies(wanted, addDefault: addDefault)
    }

    /// The token to mint: bounded by the token mount's tuning and the role's max, recorded under the path it was
    /// created by, a child of the caller unless an orphan.
    func createOrder(
        _ create: TokenCreateRequest, policies: [String], type: TokenType, role: TokenRole?, parent: TokenEntry,
        request: LogicalRequest
    ) -> TokenIssuer.Order {
        let path: String
        if let role {
            path = "auth/token/create/\(role.name)" + (role.pathSuffix.isEmpty ? "" : "/" + role.pathSuffix)
        } else {
            path = create.orphanPath ? "auth/token/create-orphan" : "auth/token/create"
        }
        var order = TokenIssuer.Order(
            policies: policies, path: path, displayName: create.displayName,
            mountConfig: core.router.route(accessor: request.mountAccessor)?.mount.config ?? MountConfig())
        order.meta = create.meta
        order.type = type
        order.ttl = create.ttl
        order.maxTTL = role?.token.maxTTL ?? 0
        order.explicitMaxTTL = create.explicitMaxTTL
        order.period = create.period
        order.numUses = create.numUses
        order.renewable = create.renewable && (role?.renewable ?? true)
        order.boundCIDRs = role?.token.boundCIDRs ?? (create.orphan ? [] : parent.boundCIDRs)
        order.entityID = create.orphan ? "" : parent.entityID
        order.creator = parent
        order.orphan = create.orphan
        order.customID = create.customID
        order.role = role?.name
        return order
    }
}
