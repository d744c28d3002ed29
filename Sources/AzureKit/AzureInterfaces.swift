/// The claims of a verified Entra ID access token that the auth method uses.
public struct AzureTokenClaims: Sendable, Equatable {
    public var issuer: String
    public var audiences: [String]
    public var subject: String
    public var objectID: String
    public var appID: String
    public var tenantID: String
    public var groups: [String]
    public var xmsMirid: String
    public var xmsAzRid: String
    /// Seconds since 1970; nil when absent.
    public var notBefore: Double?
    public var expiresAt: Double
    /// `1.0` (sts.windows.net issuer) or `2.0`.
    public var version: String

    public init(
        issuer: String = "", audiences: [String] = [], subject: String = "", objectID: String = "", appID: String = "",
        tenantID: String = "", groups: [String] = [], xmsMirid: String = "", xmsAzRid: String = "",
        notBefore: Double? = nil, expiresAt: Double = 0, version: String = "1.0"
    ) {
        self.issuer = issuer
        self.audiences = audiences
        self.subject = subject
        self.objectID = objectID
        self.appID = appID
        self.tenantID = tenantID
        self.groups = groups
        self.xmsMirid = xmsMirid
        self.xmsAzRid = xmsAzRid
        self.notBefore = notBefore
        self.expiresAt = expiresAt
        self.version = version
    }
}

/// Verifies an Entra ID JWT: RS256 only, issuer from discovery (v1 or v2), `aud` = resource,
/// `exp`, zero-leeway `nbf`, signature against the tenant's JWKS.
///
/// Errors: ``AzureError/rejected(_:)`` for a bad token (message texts of the reference, e.g.
/// `oidc: expected audience …`, `oidc: token is expired …`, `… malformed jwt …`),
/// ``AzureError/upstream(call:status:detail:)`` when discovery or JWKS cannot be fetched.
public protocol AzureTokenVerifying: Sendable {
    func verify(_ jwt: String) async throws -> AzureTokenClaims
}

/// The identity block of an ARM resource.
public struct ARMIdentity: Sendable, Equatable {
    /// System-assigned principal id.
    public var principalID: String?
    /// User-assigned identities: ARM resource id → principal id (nil when ARM omits it, as for flexible VMSS).
    public var userAssignedIdentities: [String: String?]

    public init(principalID: String? = nil, userAssignedIdentities: [String: String?] = [:]) {
        self.principalID = principalID
        self.userAssignedIdentities = userAssignedIdentities
    }
}

/// The fields of an ARM resource (VM, scale set, generic resource) the auth method reads.
public struct ARMResource: Sendable, Equatable {
    public var id: String
    public var name: String
    public var location: String?
    public var identity: ARMIdentity?
    /// A VM's `properties.virtualMachineScaleSet.id`: the scale set it is an instance of (flexible orchestration);
    /// nil for a standalone VM and for other resources.
    public var scaleSetID: String?

    public init(
        id: String = "", name: String = "", location: String? = nil, identity: ARMIdentity? = nil,
        scaleSetID: String? = nil
    ) {
        self.id = id
        self.name = name
        self.location = location
        self.identity = identity
        self.scaleSetID = scaleSetID
    }
}

/// A user-assigned managed identity (`Microsoft.ManagedIdentity/userAssignedIdentities`).
public struct ManagedIdentityInfo: Sendable, Equatable {
    public var id: String
    public var principalID: String?
    public var clientID: String?

    public init(id: String, principalID: String?, clientID: String?) {
        self.id = id
        self.principalID = principalID
        self.clientID = clientID
    }
}

/// Azure Resource Manager reads used at login (docs/azure-auth.md § ARM calls). Every call retries per the
/// configured policy; a 404 is ``AzureError/notFound(call:detail:)``.
public protocol AzureResourceManaging: Sendable {
    func virtualMachine(subscription: String, resourceGroup: String, name: String) async throws -> ARMResource
    func virtualMachineScaleSet(subscription: String, resourceGroup: String, name: String) async throws -> ARMResource
    /// GET one user-assigned identity by its ARM resource id (in its own subscription / resource group).
    func userAssignedIdentity(resourceID: String) async throws -> ManagedIdentityInfo
    /// Every user-assigned identity in a resource group, following `nextLink`.
    func userAssignedIdentities(subscription: String, resourceGroup: String) async throws -> [ManagedIdentityInfo]
    /// `resourceType` → `apiVersions` (in Azure's order) of a provider namespace.
    func providerResourceTypes(subscription: String, namespace: String) async throws -> [String: [String]]
    /// GET a resource by id with an explicit api-version.
    func resource(id: String, apiVersion: String) async throws -> ARMResource
}
