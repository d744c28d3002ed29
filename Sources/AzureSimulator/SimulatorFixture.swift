import CofferJSON
import Foundation

/// The simulated Azure estate: tenants with app registrations and groups, managed identities, VMs,
/// scale sets, other resources (App Service sites, …) and resource providers. Loaded from JSON; the
/// format is documented in `Examples/azure-sim/README.md`.
///
/// ```swift
/// let fixture = try SimulatorFixture.load(path: "Examples/azure-sim/fixture.json")
/// var edited = fixture
/// edited.virtualMachines.append(.init(subscriptionId: sub, resourceGroup: "rg", name: "vm2", location: "westeurope"))
/// ```
/// Every array may be omitted in JSON. Identity references (`userAssignedIdentities` of a VM, scale set or
/// resource) are a user-assigned identity's full ARM id or its name when that name is unique.
public struct SimulatorFixture: Codable, Sendable, Equatable {
    public var tenants: [Tenant]
    public var userAssignedIdentities: [UserAssignedIdentity]
    public var virtualMachines: [VirtualMachine]
    public var virtualMachineScaleSets: [VirtualMachineScaleSet]
    /// Any other ARM resource, e.g. `Microsoft.Web/sites`.
    public var resources: [Resource]
    public var providers: [ResourceProvider]
    /// The machine IMDS answers for.
    public var currentMachine: CurrentMachine?
    /// The App Service site whose identity endpoint (`/msi/token`) answers.
    public var appService: AppServiceHost?
    /// `value` entries per page of ARM list calls (Azure uses 100 or more; tests use small pages).
    public var listPageSize: Int

    public init(
        tenants: [Tenant] = [], userAssignedIdentities: [UserAssignedIdentity] = [],
        virtualMachines: [VirtualMachine] = [], virtualMachineScaleSets: [VirtualMachineScaleSet] = [],
        resources: [Resource] = [], providers: [ResourceProvider] = [], currentMachine: CurrentMachine? = nil,
        appService: AppServiceHost? = nil, listPageSize: Int = 100
    ) {
        self.tenants = tenants
        self.userAssignedIdentities = userAssignedIdentities
        self.virtualMachines = virtualMachines
        self.virtualMachineScaleSets = virtualMachineScaleSets
        self.resources = resources
        self.providers = providers
        self.currentMachine = currentMachine
        self.appService = appService
        self.listPageSize = listPageSize
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        tenants = try c.decodeIfPresent([Tenant].self, forKey: .tenants) ?? []
        userAssignedIdentities =
            try c.decodeIfPresent([UserAssignedIdentity].self, forKey: .userAssignedIdentities) ?? []
        virtualMachines = try c.decodeIfPresent([VirtualMachine].self, forKey: .virtualMachines) ?? []
        virtualMachineScaleSets =
            try c.decodeIfPresent([VirtualMachineScaleSet].self, forKey: .virtualMachineScaleSets) ?? []
        resources = try c.decodeIfPresent([Resource].self, forKey: .resources) ?? []
        providers = try c.decodeIfPresent([ResourceProvider].self, forKey: .providers) ?? []
        currentMachine = try c.decodeIfPresent(CurrentMachine.self, forKey: .currentMachine)
        appService = try c.decodeIfPresent(AppServiceHost.self, forKey: .appService)
        listPageSize = try c.decodeIfPresent(Int.self, forKey: .listPageSize) ?? 100
    }

    public static func load(path: String) throws -> SimulatorFixture {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return try parse(data)
    }

    public static func parse(_ data: Data) throws -> SimulatorFixture {
        let fixture = try JSONDecoder().decode(SimulatorFixture.self, from: data)
        try fixture.validate()
        return fixture
    }

    /// Refuses fixtures the simulator could not answer consistently for.
    public func validate() throws {
        guard !tenants.isEmpty else { throw SimulatorError.invalidFixture("at least one tenant is required") }
        guard listPageSize > 0 else { throw SimulatorError.invalidFixture("listPageSize must be positive") }
        for identity in userAssignedIdentities {
            guard tenant(forSubscription: identity.subscriptionId) != nil else {
                throw SimulatorError.invalidFixture("no tenant for subscription \(identity.subscriptionId)")
            }
        }
        let references =
            virtualMachines.flatMap(\.userAssignedIdentities)
            + virtualMachineScaleSets.flatMap(\.userAssignedIdentities)
            + resources.flatMap(\.userAssignedIdentities)
        for reference in references where resolveIdentity(reference) == nil {
            throw SimulatorError.invalidFixture("unknown or ambiguous user-assigned identity \"\(reference)\"")
        }
    }

    /// The tenant that owns a subscription; the first tenant when no tenant lists it.
    public func tenant(forSubscription subscription: String) -> Tenant? {
        tenants.first { $0.subscriptions.contains { $0.caseInsensitiveCompare(subscription) == .orderedSame } }
            ?? tenants.first
    }

    /// A user-assigned identity by ARM id (case-insensitive), name, client id or principal id.
    public func resolveIdentity(_ reference: String) -> UserAssignedIdentity? {
        if let byID = userAssignedIdentities.first(where: { $0.id.caseInsensitiveCompare(reference) == .orderedSame }) {
            return byID
        }
        let matches = userAssignedIdentities.filter {
            $0.name == reference || $0.clientId.caseInsensitiveCompare(reference) == .orderedSame
                || $0.principalId.caseInsensitiveCompare(reference) == .orderedSame
        }
        return matches.count == 1 ? matches[0] : nil
    }

    // MARK: - Model

    public struct Tenant: Codable, Sendable, Equatable {
        public var tenantId: String
        public var displayName: String
        /// Accepted in place of the tenant id in Entra ID URLs.
        public var defaultDomain: String?
        public var subscriptions: [String]
        public var applications: [Application]
        public var groups: [Group]

        public init(
            tenantId: String, displayName: String = "Simulated tenant", defaultDomain: String? = nil,
            subscriptions: [String] = [], applications: [Application] = [], groups: [Group] = []
        ) {
            self.tenantId = tenantId
            self.displayName = displayName
            self.defaultDomain = defaultDomain
            self.subscriptions = subscriptions
            self.applications = applications
            self.groups = groups
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            tenantId = try c.decode(String.self, forKey: .tenantId)
            displayName = try c.decodeIfPresent(String.self, forKey: .displayName) ?? "Simulated tenant"
            defaultDomain = try c.decodeIfPresent(String.self, forKey: .defaultDomain)
            subscriptions = try c.decodeIfPresent([String].self, forKey: .subscriptions) ?? []
            applications = try c.decodeIfPresent([Application].self, forKey: .applications) ?? []
            groups = try c.decodeIfPresent([Group].self, forKey: .groups) ?? []
        }
    }

    /// An app registration with its service principal.
    public struct Application: Codable, Sendable, Equatable {
        public var appId: String
        /// The application object id (Graph `id`).
        public var objectId: String
        /// The service principal's object id: the `oid` of app-only tokens.
        public var servicePrincipalId: String
        public var displayName: String
        public var passwordCredentials: [PasswordCredential]
        public var federatedCredentials: [FederatedCredential]

        public init(
            appId: String, objectId: String, servicePrincipalId: String, displayName: String = "app",
            passwordCredentials: [PasswordCredential] = [], federatedCredentials: [FederatedCredential] = []
        ) {
            self.appId = appId
            self.objectId = objectId
            self.servicePrincipalId = servicePrincipalId
            self.displayName = displayName
            self.passwordCredentials = passwordCredentials
            self.federatedCredentials = federatedCredentials
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            appId = try c.decode(String.self, forKey: .appId)
            objectId = try c.decode(String.self, forKey: .objectId)
            servicePrincipalId = try c.decode(String.self, forKey: .servicePrincipalId)
            displayName = try c.decodeIfPresent(String.self, forKey: .displayName) ?? "app"
            passwordCredentials = try c.decodeIfPresent([PasswordCredential].self, forKey: .passwordCredentials) ?? []
            federatedCredentials =
                try c.decodeIfPresent([FederatedCredential].self, forKey: .federatedCredentials) ?? []
        }
    }

    /// A client secret. Dates are RFC 3339 (`2027-01-01T00:00:00Z`).
    public struct PasswordCredential: Codable, Sendable, Equatable {
        public var keyId: String
        public var secretText: String
        public var displayName: String?
        public var startDateTime: String?
        public var endDateTime: String?
        /// The `hint` Graph lists for this password. Nil lists Graph's own, the secret's first three characters;
        /// an empty string lists none, as for a credential listed without one.
        public var hint: String?

        public init(
            keyId: String, secretText: String, displayName: String? = nil, startDateTime: String? = nil,
            endDateTime: String? = nil, hint: String? = nil
        ) {
            self.keyId = keyId
            self.secretText = secretText
            self.displayName = displayName
            self.startDateTime = startDateTime
            self.endDateTime = endDateTime
            self.hint = hint
        }

        /// What Graph lists as `hint`: the fixture's choice, else the secret's first three characters.
        public var listedHint: String? {
            guard let hint else { return String(secretText.prefix(3)) }
            return hint.isEmpty ? nil : hint
        }
    }

    /// Trust in an external issuer's tokens as client assertions (workload identity federation).
    /// Keys come from `jwks` when given, else from `<issuer>/.well-known/openid-configuration` (loopback only).
    public struct FederatedCredential: Codable, Sendable, Equatable {
        public var name: String
        public var issuer: String
        public var subject: String
        public var audiences: [String]
        public var jwks: JSONValue?

        public init(
            name: String = "federated", issuer: String, subject: String,
            audiences: [String] = ["api://AzureADTokenExchange"], jwks: JSONValue? = nil
        ) {
            self.name = name
            self.issuer = issuer
            self.subject = subject
            self.audiences = audiences
            self.jwks = jwks
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c.decodeIfPresent(String.self, forKey: .name) ?? "federated"
            issuer = try c.decode(String.self, forKey: .issuer)
            subject = try c.decode(String.self, forKey: .subject)
            audiences = try c.decodeIfPresent([String].self, forKey: .audiences) ?? ["api://AzureADTokenExchange"]
            jwks = try c.decodeIfPresent(JSONValue.self, forKey: .jwks)
        }
    }

    /// A security group; `members` are principal (object) ids. Tokens of members carry its id in `groups`.
    public struct Group: Codable, Sendable, Equatable {
        public var id: String
        public var displayName: String
        public var members: [String]

        public init(id: String, displayName: String = "group", members: [String] = []) {
            self.id = id
            self.displayName = displayName
            self.members = members
        }
    }

    public struct UserAssignedIdentity: Codable, Sendable, Equatable {
        public var subscriptionId: String
        public var resourceGroup: String
        public var name: String
        public var location: String
        public var principalId: String
        public var clientId: String
        public var federatedCredentials: [FederatedCredential]

        public init(
            subscriptionId: String, resourceGroup: String, name: String, location: String = "westeurope",
            principalId: String, clientId: String, federatedCredentials: [FederatedCredential] = []
        ) {
            self.subscriptionId = subscriptionId
            self.resourceGroup = resourceGroup
            self.name = name
            self.location = location
            self.principalId = principalId
            self.clientId = clientId
            self.federatedCredentials = federatedCredentials
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            subscriptionId = try c.decode(String.self, forKey: .subscriptionId)
            resourceGroup = try c.decode(String.self, forKey: .resourceGroup)
            name = try c.decode(String.self, forKey: .name)
            location = try c.decodeIfPresent(String.self, forKey: .location) ?? "westeurope"
            principalId = try c.decode(String.self, forKey: .principalId)
            clientId = try c.decode(String.self, forKey: .clientId)
            federatedCredentials =
                try c.decodeIfPresent([FederatedCredential].self, forKey: .federatedCredentials) ?? []
        }

        /// `/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.ManagedIdentity/userAssignedIdentities/<name>`
        public var id: String {
            ResourceID.make(subscriptionId, resourceGroup, "Microsoft.ManagedIdentity/userAssignedIdentities", name)
        }
    }

    /// A system-assigned identity: its principal (object) id and the client (app) id its tokens carry.
    public struct SystemIdentity: Codable, Sendable, Equatable {
        public var principalId: String
        public var clientId: String

        public init(principalId: String, clientId: String) {
            self.principalId = principalId
            self.clientId = clientId
        }
    }

    public struct VirtualMachine: Codable, Sendable, Equatable {
        public var subscriptionId: String
        public var resourceGroup: String
        public var name: String
        public var location: String
        public var vmId: String
        public var vmSize: String
        public var systemAssignedIdentity: SystemIdentity?
        public var userAssignedIdentities: [String]

        public init(
            subscriptionId: String, resourceGroup: String, name: String, location: String = "westeurope",
            vmId: String = UUID().uuidString.lowercased(), vmSize: String = "Standard_B2s",
            systemAssignedIdentity: SystemIdentity? = nil, userAssignedIdentities: [String] = []
        ) {
            self.subscriptionId = subscriptionId
            self.resourceGroup = resourceGroup
            self.name = name
            self.location = location
            self.vmId = vmId
            self.vmSize = vmSize
            self.systemAssignedIdentity = systemAssignedIdentity
            self.userAssignedIdentities = userAssignedIdentities
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            subscriptionId = try c.decode(String.self, forKey: .subscriptionId)
            resourceGroup = try c.decode(String.self, forKey: .resourceGroup)
            name = try c.decode(String.self, forKey: .name)
            location = try c.decodeIfPresent(String.self, forKey: .location) ?? "westeurope"
            vmId = try c.decodeIfPresent(String.self, forKey: .vmId) ?? UUID().uuidString.lowercased()
            vmSize = try c.decodeIfPresent(String.self, forKey: .vmSize) ?? "Standard_B2s"
            systemAssignedIdentity = try c.decodeIfPresent(SystemIdentity.self, forKey: .systemAssignedIdentity)
            userAssignedIdentities = try c.decodeIfPresent([String].self, forKey: .userAssignedIdentities) ?? []
        }

        public var id: String {
            ResourceID.make(subscriptionId, resourceGroup, "Microsoft.Compute/virtualMachines", name)
        }
    }

    public enum OrchestrationMode: String, Codable, Sendable, Equatable {
        case uniform = "Uniform"
        case flexible = "Flexible"
    }

    /// A scale set. `instances` are instance ids (`0`, `1`, … in uniform mode) or the suffixes of flexible
    /// instances, whose VMs are named `<name>_<suffix>` and are also answered as `virtualMachines`.
    public struct VirtualMachineScaleSet: Codable, Sendable, Equatable {
        public var subscriptionId: String
        public var resourceGroup: String
        public var name: String
        public var location: String
        public var orchestrationMode: OrchestrationMode
        public var instances: [String]
        public var systemAssignedIdentity: SystemIdentity?
        public var userAssignedIdentities: [String]

        public init(
            subscriptionId: String, resourceGroup: String, name: String, location: String = "westeurope",
            orchestrationMode: OrchestrationMode, instances: [String] = [],
            systemAssignedIdentity: SystemIdentity? = nil, userAssignedIdentities: [String] = []
        ) {
            self.subscriptionId = subscriptionId
            self.resourceGroup = resourceGroup
            self.name = name
            self.location = location
            self.orchestrationMode = orchestrationMode
            self.instances = instances
            self.systemAssignedIdentity = systemAssignedIdentity
            self.userAssignedIdentities = userAssignedIdentities
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            subscriptionId = try c.decode(String.self, forKey: .subscriptionId)
            resourceGroup = try c.decode(String.self, forKey: .resourceGroup)
            name = try c.decode(String.self, forKey: .name)
            location = try c.decodeIfPresent(String.self, forKey: .location) ?? "westeurope"
            orchestrationMode = try c.decode(OrchestrationMode.self, forKey: .orchestrationMode)
            instances = try c.decodeIfPresent([String].self, forKey: .instances) ?? []
            systemAssignedIdentity = try c.decodeIfPresent(SystemIdentity.self, forKey: .systemAssignedIdentity)
            userAssignedIdentities = try c.decodeIfPresent([String].self, forKey: .userAssignedIdentities) ?? []
        }

        public var id: String {
            ResourceID.make(subscriptionId, resourceGroup, "Microsoft.Compute/virtualMachineScaleSets", name)
        }
    }

    /// Any other ARM resource, addressed by its full id (e.g. an App Service site
    /// `/subscriptions/<s>/resourceGroups/<rg>/providers/Microsoft.Web/sites/<name>`).
    public struct Resource: Codable, Sendable, Equatable {
        public var id: String
        public var location: String
        public var kind: String?
        public var systemAssignedIdentity: SystemIdentity?
        public var userAssignedIdentities: [String]
        public var properties: JSONValue?

        public init(
            id: String, location: String = "westeurope", kind: String? = nil,
            systemAssignedIdentity: SystemIdentity? = nil, userAssignedIdentities: [String] = [],
            properties: JSONValue? = nil
        ) {
            self.id = id
            self.location = location
            self.kind = kind
            self.systemAssignedIdentity = systemAssignedIdentity
            self.userAssignedIdentities = userAssignedIdentities
            self.properties = properties
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            location = try c.decodeIfPresent(String.self, forKey: .location) ?? "westeurope"
            kind = try c.decodeIfPresent(String.self, forKey: .kind)
            systemAssignedIdentity = try c.decodeIfPresent(SystemIdentity.self, forKey: .systemAssignedIdentity)
            userAssignedIdentities = try c.decodeIfPresent([String].self, forKey: .userAssignedIdentities) ?? []
            properties = try c.decodeIfPresent(JSONValue.self, forKey: .properties)
        }
    }

    public struct ResourceProvider: Codable, Sendable, Equatable {
        public var namespace: String
        public var resourceTypes: [ResourceType]

        public init(namespace: String, resourceTypes: [ResourceType]) {
            self.namespace = namespace
            self.resourceTypes = resourceTypes
        }
    }

    /// `apiVersions` newest first, previews included, as Azure lists them.
    public struct ResourceType: Codable, Sendable, Equatable {
        public var resourceType: String
        public var apiVersions: [String]
        public var locations: [String]

        public init(resourceType: String, apiVersions: [String], locations: [String] = ["West Europe"]) {
            self.resourceType = resourceType
            self.apiVersions = apiVersions
            self.locations = locations
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            resourceType = try c.decode(String.self, forKey: .resourceType)
            apiVersions = try c.decode([String].self, forKey: .apiVersions)
            locations = try c.decodeIfPresent([String].self, forKey: .locations) ?? ["West Europe"]
        }
    }

    /// The machine IMDS speaks for: a VM (`virtualMachine`), or an instance of a scale set
    /// (`scaleSet` + `instance`). Names are resolved like ``AzureSimulator/managedIdentityToken(vm:identity:resource:)``.
    public struct CurrentMachine: Codable, Sendable, Equatable {
        public var virtualMachine: String?
        public var scaleSet: String?
        public var instance: String?

        public init(virtualMachine: String? = nil, scaleSet: String? = nil, instance: String? = nil) {
            self.virtualMachine = virtualMachine
            self.scaleSet = scaleSet
            self.instance = instance
        }
    }

    /// The App Service / Functions site behind `/msi/token`, and the `X-IDENTITY-HEADER` value it requires.
    public struct AppServiceHost: Codable, Sendable, Equatable {
        public var site: String
        public var identityHeader: String

        public init(site: String, identityHeader: String) {
            self.site = site
            self.identityHeader = identityHeader
        }
    }
}

/// Why a simulator call failed (Swift API and fixture loading).
public enum SimulatorError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidFixture(String)
    case notFound(String)
    case ambiguous(String)
    case notRunning
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .invalidFixture(let message): return "invalid simulator fixture: \(message)"
        case .notFound(let message): return "not found: \(message)"
        case .ambiguous(let message): return "ambiguous: \(message)"
        case .notRunning: return "the simulator is not running"
        case .invalidArgument(let message): return message
        }
    }
}
