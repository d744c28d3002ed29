import AzureKit
import CofferFramework

/// The login fields of `auth/<mount>/login`.
struct AzureLoginFields: Sendable {
    var role: String
    var jwt: String
    var subscriptionID: String
    var resourceGroupName: String
    var vmName: String
    var vmssName: String
    var resourceID: String
}

/// Checks a login against a role (docs/azure-auth.md § Login) and builds the ``Auth``.
///
/// ```swift
/// let login = AzureLogin(verifier: services.verifier, resourceManager: services.resourceManager, apiVersions: services.apiVersions)
/// let auth = try await login.authenticate(fields, role: role)
/// ```
struct AzureLogin: Sendable {
    let verifier: any AzureTokenVerifying
    let resourceManager: any AzureResourceManaging
    let apiVersions: ARMAPIVersionResolver

    /// Verifies the token and the role's bindings, then returns the auth for the token.
    func authenticate(_ fields: AzureLoginFields, role: AzureRole) async throws -> Auth {
        guard role.hasValidBinding else { throw LogicalError.badRequest(AzureRole.bindingMessage) }
        let claims: AzureTokenClaims
        do {
            claims = try await verifier.verify(fields.jwt)
        } catch let error as AzureError {
            throw Self.logicalError(error, prefix: nil)
        }
        guard !claims.objectID.isEmpty else {
            throw LogicalError.badRequest(
                "the token has no oid claim: it does not identify a managed identity or service principal")
        }
        try checkPrincipalBindings(claims, role: role)
        let proof = try await checkResource(fields, claims: claims, role: role)

        // Only what a check verified against the token or ARM is recorded: templated policies read these values,
        // so an unchecked field would let the caller choose them. Unverified keys are left out (or "" for the two
        // the reference always sends).
        var metadata = ["resource_group_name": proof.resourceGroupName, "subscription_id": proof.subscriptionID]
        if !proof.vmName.isEmpty { metadata["vm_name"] = proof.vmName }
        if !proof.vmssName.isEmpty { metadata["vmss_name"] = proof.vmssName }
        if !proof.resourceID.isEmpty { metadata["resource_id"] = proof.resourceID }
        if !claims.appID.isEmpty { metadata["app_id"] = claims.appID }
        var tokenMetadata = metadata
        tokenMetadata["role"] = fields.role
        let base = Auth(
            metadata: tokenMetadata, displayName: claims.objectID,
            alias: Alias(name: claims.objectID, metadata: metadata),
            groupAliases: claims.groups.filter { !$0.isEmpty }.map { Alias(name: $0) },
            internalData: ["role": .string(fields.role)])
        return role.auth(base: base)
    }

    // MARK: role checks on claims (docs/azure-auth.md § Principal checks)

    static func containsFolded(_ list: [String], _ value: String) -> Bool {
        let folded = value.lowercased()
        return list.contains { $0.lowercased() == folded }
    }

    func checkPrincipalBindings(_ claims: AzureTokenClaims, role: AzureRole) throws {
        if let principals = role.boundServicePrincipalIDs, !principals.isEmpty, !AzureRole.isWildcard(principals),
            !Self.containsFolded(principals, claims.objectID)
        {
            throw LogicalError.badRequest("service principal not authorized: \(claims.objectID)")
        }
        if let groups = role.boundGroupIDs, !groups.isEmpty, !AzureRole.isWildcard(groups),
            !claims.groups.contains(where: { Self.containsFolded(groups, $0) })
        {
            throw LogicalError.badRequest("groups not authorized: [\(claims.groups.joined(separator: " "))]")
        }
    }

    // MARK: resource checks (docs/azure-auth.md § Resource checks)

    /// What the resource checks established. Its login fields are those a check verified against the token's signed
    /// claims or ARM; the others stay empty, so a caller cannot choose what metadata records.
    struct ResourceProof {
        var subscriptionID = ""
        var resourceGroupName = ""
        var vmName = ""
        var vmssName = ""
        var resourceID = ""
        var location: String?
        /// Set when the token's `appid` matched a user-assigned identity: the resource group it lives in.
        var appIDGroup: String?
    }

    /// The VM, scale set or resource a login named, as ARM describes it.
    struct NamedResource {
        var location: String?
        var systemPrincipal: String?
        var principals: [String]
        /// The answer when the token carries no xms claims and its `oid` is not the resource's own identity: a scale
        /// set names both claim patterns it tried, as the reference does.
        var claimsMissing = AzureLogin.claimsMissing
    }

    static let claimsMissing = "xms_az_rid and xms_mirid claims are missing from token"

    static func hasResourceClaims(_ claims: AzureTokenClaims) -> Bool {
        !claims.xmsAzRid.isEmpty || !claims.xmsMirid.isEmpty
    }

    func checkResource(_ fields: AzureLoginFields, claims: AzureTokenClaims, role: AzureRole) async throws
        -> ResourceProof
    {
        guard role.needsResourceCheck else { return ResourceProof() }
        guard !fields.subscriptionID.isEmpty, !fields.resourceGroupName.isEmpty else {
            throw LogicalError.badRequest("subscription_id and resource_group_name are required")
        }
        var proof = ResourceProof()
        let resource: NamedResource?
        if !fields.vmssName.isEmpty {
            resource = try await scaleSet(fields, claims: claims, role: role)
            proof.vmssName = fields.vmssName
        } else if !fields.vmName.isEmpty {
            resource = try await virtualMachine(fields, claims: claims, role: role)
            proof.vmName = fields.vmName
        } else if !fields.resourceID.isEmpty {
            resource = try await namedResource(fields, claims: claims, role: role)
            proof.resourceID = fields.resourceID
        } else {
            try checkAppIDOnly(claims, role: role)
            resource = nil
        }
        proof.location = resource?.location
        proof.appIDGroup = try await matchIdentity(resource, fields, claims: claims, role: role)
        try checkBounds(fields, role: role, proof: proof, namedResource: resource != nil)
        proof.subscriptionID = fields.subscriptionID
        // A named resource lies in the login's group (its claims or its ARM GET proved it); an app-id-only login
        // proved only where its identity lives.
        proof.resourceGroupName = resource == nil ? proof.appIDGroup ?? "" : fields.resourceGroupName
        return proof
    }

    private func scaleSet(_ fields: AzureLoginFields, claims: AzureTokenClaims, role: AzureRole) async throws
        -> NamedResource
    {
        let instance = Self.hasResourceClaims(claims) ? try checkScaleSetClaims(claims, fields) : nil
        let scaleSet = try await arm("unable to retrieve virtual machine scale set metadata") {
            try await resourceManager.virtualMachineScaleSet(
                subscription: fields.subscriptionID, resourceGroup: fields.resourceGroupName, name: fields.vmssName)
        }
        if let bound = role.boundScaleSets, !bound.isEmpty, !Self.containsFolded(bound, fields.vmssName) {
            throw LogicalError.badRequest("scale set not authorized")
        }
        guard let identity = scaleSet.identity else {
            throw LogicalError.badRequest("vmss client did not return identity information")
        }
        if let instance { try await checkFlexibleInstance(instance, fields) }
        return NamedResource(
            location: scaleSet.location, systemPrincipal: identity.principalID,
            principals: try await resolvePrincipals(identity),
            claimsMissing: "failed to verify flexible vmss claim: \(Self.claimsMissing)\n"
                + "failed to verify uniform vmss claim: \(Self.claimsMissing)")
    }

    private func virtualMachine(_ fields: AzureLoginFields, claims: AzureTokenClaims, role: AzureRole) async throws
        -> NamedResource
    {
        if Self.hasResourceClaims(claims) {
            try checkClaims(claims, fields, key: "vm_name", value: fields.vmName) { id in
                id.isSingle("Microsoft.Compute", "virtualMachines")
                    && id.name?.lowercased() == fields.vmName.lowercased()
            }
        }
        let machine = try await arm("unable to retrieve virtual machine metadata") {
            try await resourceManager.virtualMachine(
                subscription: fields.subscriptionID, resourceGroup: fields.resourceGroupName, name: fields.vmName)
        }
        guard let identity = machine.identity else {
            throw LogicalError.badRequest("vm client did not return identity information")
        }
        if let bound = role.boundScaleSets, !bound.isEmpty {
            throw LogicalError.badRequest("bound scale set defined but this vm isn't in a scale set")
        }
        return NamedResource(
            location: machine.location, systemPrincipal: identity.principalID,
            principals: try await resolvePrincipals(identity))
    }

    private func namedResource(_ fields: AzureLoginFields, claims: AzureTokenClaims, role: AzureRole) async throws
        -> NamedResource
    {
        if let bound = role.boundScaleSets, !bound.isEmpty {
            throw LogicalError.badRequest("scale set requires the vmss_name field to be set")
        }
        guard let id = ARMResourceID(claim: fields.resourceID), id.providerNamespace != nil else {
            throw LogicalError.badRequest("unable to parse the resource ID: \"\(fields.resourceID)\"")
        }
        guard id.isIn(subscription: fields.subscriptionID, resourceGroup: fields.resourceGroupName) else {
            throw LogicalError.badRequest("provided resource_id does not match subscription_id and resource_group_name")
        }
        let version = try await arm("unable to get the provider for resource \"\(fields.resourceID)\"") {
            try await apiVersions.apiVersion(resourceID: fields.resourceID, subscription: fields.subscriptionID)
        }
        let resource = try await arm("unable to retrieve resource metadata") {
            try await resourceManager.resource(id: fields.resourceID, apiVersion: version)
        }
        guard let identity = resource.identity else {
            throw LogicalError.badRequest("client did not return identity information")
        }
        if Self.hasResourceClaims(claims) { try checkResourceClaims(claims, resource: id, identity: identity) }
        return NamedResource(
            location: resource.location, systemPrincipal: identity.principalID,
            principals: try await resolvePrincipals(identity))
    }

    /// Any VM in the group may be named `<vmss>_<suffix>`, and one sharing a user-assigned identity with the scale
    /// set would pass the flexible claim check. ARM's `virtualMachineScaleSet.id` on the VM says whether it really is
    /// an instance of this scale set (stricter than the reference, which trusts the name). One VM GET, flexible only.
    private func checkFlexibleInstance(_ instance: ARMResourceID, _ fields: AzureLoginFields) async throws {
        let name = instance.name ?? ""
        let machine = try await arm("unable to retrieve virtual machine metadata") {
            try await resourceManager.virtualMachine(
                subscription: fields.subscriptionID, resourceGroup: fields.resourceGroupName, name: name)
        }
        guard let owner = machine.scaleSetID.flatMap({ ARMResourceID(claim: $0) }),
            owner.isSingle("Microsoft.Compute", "virtualMachineScaleSets"),
            owner.name?.lowercased() == fields.vmssName.lowercased(),
            owner.isIn(subscription: fields.subscriptionID, resourceGroup: fields.resourceGroupName)
        else {
            throw LogicalError.badRequest(
                "failed to verify flexible vmss claim: virtual machine \(name) is not an instance of scale set \(fields.vmssName)"
            )
        }
    }

    /// A login naming no resource rests on the token's `appid` alone. It cannot prove membership of a scale set,
    /// so a role bound to scale sets refuses it (a location binding fails later: no location is known).
    private func checkAppIDOnly(_ claims: AzureTokenClaims, role: AzureRole) throws {
        guard !claims.appID.isEmpty else {
            throw LogicalError.badRequest(
                "one of vm_name, vmss_name, resource_id, or an appid JWT claim must be provided")
        }
        if let bound = role.boundScaleSets, !bound.isEmpty {
            throw LogicalError.badRequest("scale set requires the vmss_name field to be set")
        }
    }

    /// Matches the token's `oid` against the resource's principals, else its `appid` against user-assigned
    /// identities (the app-id fallback of docs/azure-auth.md § Identity match). Returns the resource group of an
    /// app-id match, nil for an `oid` match.
    private func matchIdentity(
        _ resource: NamedResource?, _ fields: AzureLoginFields, claims: AzureTokenClaims, role: AzureRole
    ) async throws -> String? {
        var principals = resource?.principals ?? []
        var allowAppID = true
        if let resource, !Self.hasResourceClaims(claims) {
            // Without xms claims only the resource's own system-assigned identity proves the binding
            // (docs/azure-auth.md § Tokens without xms claims).
            guard let system = resource.systemPrincipal, system.lowercased() == claims.objectID.lowercased() else {
                throw LogicalError.badRequest(resource.claimsMissing)
            }
            principals = [system]
            allowAppID = false
        }
        if Self.containsFolded(principals, claims.objectID) { return nil }
        guard !claims.appID.isEmpty, allowAppID else {
            throw LogicalError.badRequest("token object id does not match expected identities, and no app id was found")
        }
        guard let group = try await appIDGroup(fields, appID: claims.appID, role: role) else {
            throw LogicalError.badRequest("neither token object id nor token app id match expected identities")
        }
        return group
    }

    /// The first resource group holding a user-assigned identity whose client id is `appID`: the login's group,
    /// then the bound ones (docs/azure-auth.md § Identity match), all in the login's subscription. Nil when none does.
    private func appIDGroup(_ fields: AzureLoginFields, appID: String, role: AzureRole) async throws -> String? {
        var groups = [fields.resourceGroupName]
        for group in role.boundResourceGroups ?? [] where !Self.containsFolded(groups, group) {
            groups.append(group)
        }
        for group in groups where !group.isEmpty {
            let identities = try await arm("failed to list user-assigned identities") {
                do {
                    return try await resourceManager.userAssignedIdentities(
                        subscription: fields.subscriptionID, resourceGroup: group)
                } catch AzureError.notFound {
                    return []  // a resource group that does not exist has no identities
                }
            }
            if Self.containsFolded(identities.compactMap(\.clientID), appID) { return group }
        }
        return nil
    }

    /// Subscription, resource-group and location bindings against what the checks proved. A named resource lives
    /// in the login's group; an app-id match also needs its identity's group bound, so the login's own group never
    /// stands in for where the identity lives (Coffer's decision, stricter than the reference).
    private func checkBounds(
        _ fields: AzureLoginFields, role: AzureRole, proof: ResourceProof, namedResource: Bool
    ) throws {
        if let bound = role.boundSubscriptionIDs, !bound.isEmpty, !Self.containsFolded(bound, fields.subscriptionID) {
            throw LogicalError.badRequest("subscription not authorized")
        }
        if let bound = role.boundResourceGroups, !bound.isEmpty {
            var groups: [String] = []
            if namedResource { groups.append(fields.resourceGroupName) }
            if let group = proof.appIDGroup { groups.append(group) }
            guard groups.allSatisfy({ Self.containsFolded(bound, $0) }) else {
                throw LogicalError.badRequest("resource group not authorized")
            }
        }
        if let bound = role.boundLocations, !bound.isEmpty {
            guard let location = proof.location, !location.isEmpty else {
                throw LogicalError.badRequest("location is empty")
            }
            guard Self.containsFolded(bound, location) else { throw LogicalError.badRequest("location not authorized") }
        }
    }

    /// System principal plus every user-assigned principal; flexible scale sets omit them, so those
    /// identities are read one by one in their own subscription and resource group.
    func resolvePrincipals(_ identity: ARMIdentity) async throws -> [String] {
        var principals: [String] = []
        if let system = identity.principalID, !system.isEmpty { principals.append(system) }
        for (resourceID, principal) in identity.userAssignedIdentities.sorted(by: { $0.key < $1.key }) {
            if let principal, !principal.isEmpty {
                principals.append(principal)
                continue
            }
            guard ARMResourceID(claim: resourceID)?.isUserAssignedIdentity == true else {
                throw LogicalError.badRequest(
                    "unable to parse the user-assigned identity resource ID \"\(resourceID)\"")
            }
            let info = try await arm("unable to retrieve user assigned identity metadata") {
                try await resourceManager.userAssignedIdentity(resourceID: resourceID)
            }
            if let principal = info.principalID, !principal.isEmpty { principals.append(principal) }
        }
        return principals
    }

    // MARK: xms claims (exact; docs/azure-auth.md § Claim matching)

    /// Passes when `xms_az_rid` or `xms_mirid` parses, satisfies `matches`, and lies in the login's resource
    /// group and subscription.
    func checkClaims(
        _ claims: AzureTokenClaims, _ fields: AzureLoginFields, key: String, value: String,
        matches: (ARMResourceID) -> Bool
    ) throws {
        if case .failed(let failure) = claimCheck(claims, fields, key: key, value: value, matches: matches) {
            throw LogicalError.badRequest(failure)
        }
    }

    /// The outcome of matching the xms claims against a login field.
    enum ClaimCheck {
        /// The first claim that passed (`xms_az_rid` before `xms_mirid`).
        case passed(ARMResourceID)
        /// The reference's texts, naming what differs: the resource (`key`), its resource group, or its subscription.
        case failed(String)
    }

    func claimCheck(
        _ claims: AzureTokenClaims, _ fields: AzureLoginFields, key: String, value: String,
        matches: (ARMResourceID) -> Bool
    ) -> ClaimCheck {
        var failures: [String] = []
        for (name, claim) in [("xms_az_rid", claims.xmsAzRid), ("xms_mirid", claims.xmsMirid)] where !claim.isEmpty {
            guard let id = ARMResourceID(claim: claim), matches(id) else {
                failures.append("\(name) token claim does not match \(key) \(value)")
                continue
            }
            guard id.resourceGroup?.lowercased() == fields.resourceGroupName.lowercased() else {
                failures.append("\(name) token claim does not match resource_group_name \(fields.resourceGroupName)")
                continue
            }
            guard id.subscriptionID?.lowercased() == fields.subscriptionID.lowercased() else {
                failures.append("\(name) token claim does not match subscription_id \(fields.subscriptionID)")
                continue
            }
            return .passed(id)
        }
        if failures.isEmpty { return .failed(Self.claimsMissing) }
        return .failed(failures.joined(separator: "\n"))
    }

    /// Returns the VM a flexible-instance claim names, whose membership only ARM can confirm; nil when a uniform
    /// claim names the scale set itself (its id nests the instance under the scale set).
    func checkScaleSetClaims(_ claims: AzureTokenClaims, _ fields: AzureLoginFields) throws -> ARMResourceID? {
        let name = fields.vmssName.lowercased()
        let isFlexibleInstance: (ARMResourceID) -> Bool = { id in
            guard id.isSingle("Microsoft.Compute", "virtualMachines"), let instance = id.name?.lowercased() else {
                return false
            }
            guard instance.hasPrefix(name + "_") else { return false }
            let suffix = instance.dropFirst(name.count + 1)
            return !suffix.isEmpty && !suffix.contains("_")
        }
        let flexibleFailure: String
        switch claimCheck(claims, fields, key: "vmss_name", value: fields.vmssName, matches: isFlexibleInstance) {
        case .passed(let instance): return instance
        case .failed(let failure): flexibleFailure = failure
        }
        let uniform = claimCheck(claims, fields, key: "vmss_name", value: fields.vmssName) { id in
            id.providerNamespace?.lowercased() == "microsoft.compute"
                && id.types.first?.lowercased() == "virtualmachinescalesets" && id.names.first?.lowercased() == name
        }
        guard case .failed(let uniformFailure) = uniform else { return nil }
        throw LogicalError.badRequest(
            "failed to verify flexible vmss claim: \(flexibleFailure)\nfailed to verify uniform vmss claim: \(uniformFailure)"
        )
    }

    /// resource_id logins. A user-assigned identity can be shared by many resources, so when the token carries
    /// `xms_az_rid` (the resource that asked for it) that claim alone decides, and must name this resource. Only
    /// without it may `xms_mirid` name the resource or a user-assigned identity ARM reports attached to it.
    func checkResourceClaims(_ claims: AzureTokenClaims, resource: ARMResourceID, identity: ARMIdentity) throws {
        if !claims.xmsAzRid.isEmpty {
            guard let id = ARMResourceID(claim: claims.xmsAzRid), id.names(theSameResourceAs: resource) else {
                throw LogicalError.badRequest("the token's xms_az_rid claim does not name the resource in resource_id")
            }
            return
        }
        let attached = identity.userAssignedIdentities.keys.compactMap { ARMResourceID(claim: $0) }
        if let id = ARMResourceID(claim: claims.xmsMirid),
            id.names(theSameResourceAs: resource) || attached.contains(where: id.names(theSameResourceAs:))
        {
            return
        }
        throw LogicalError.badRequest(
            "the token's xms_az_rid and xms_mirid claims do not name the resource in resource_id")
    }

    // MARK: errors

    /// ARM refused Coffer's own access token (401): revoked, or the tenant's signing keys changed since it was
    /// cached. The caller may rebuild its services once; `error` is the answer otherwise.
    struct ARMCredentialRejected: Error {
        let error: LogicalError
    }

    func arm<T: Sendable>(_ prefix: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as AzureError {
            let logical = Self.logicalError(error, prefix: prefix)
            if case .upstream(let call, 401?, _) = error, call.hasPrefix("ARM") {
                throw ARMCredentialRejected(error: logical)
            }
            throw logical
        }
    }

    /// Rejections and ARM 404s are the client's problem (400); Azure failures are 502
    /// (docs/azure-auth.md § Status codes).
    static func logicalError(_ error: AzureError, prefix: String?) -> LogicalError {
        let text = prefix.map { "\($0): \(error)" } ?? "\(error)"
        switch error {
        case .rejected, .notFound, .configuration: return .badRequest(text)
        case .upstream: return .badGateway(text)
        }
    }
}
