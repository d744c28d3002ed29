import CofferJSON
import Foundation

/// The fixture seen as Azure sees it: ARM objects by id, compute hosts and the managed identities
/// they can get tokens for.
///
/// ```swift
/// let catalog = ResourceCatalog(fixture: fixture)
/// let host = try catalog.host(named: "vm1")                        // a VM or a flexible instance `<vmss>_<suffix>`
/// let grant = try catalog.grant(on: host, selector: .any("uami-1")) // which identity, and its xms_* claims
/// catalog.object(id: "/subscriptions/…/virtualMachines/vm1")?.json(expandInstanceView: true)
/// ```
struct ResourceCatalog {
    let fixture: SimulatorFixture

    // MARK: Compute hosts

    /// Something that runs code and asks IMDS (or the App Service endpoint) for tokens.
    struct Host: Equatable {
        enum Kind: Equatable { case virtualMachine, flexibleInstance, uniformInstance, resource }
        var kind: Kind
        /// The resource Azure names in `xms_mirid` (system identity) and `xms_az_rid` (user-assigned).
        var resourceID: String
        var subscriptionId: String
        var resourceGroup: String
        var location: String
        var name: String
        var scaleSetName: String?
        var vmId: String
        var vmSize: String
        var system: SimulatorFixture.SystemIdentity?
        var userAssigned: [SimulatorFixture.UserAssignedIdentity]
    }

    /// A VM by name or id, or a flexible scale-set instance by its VM name `<vmss>_<suffix>`.
    func host(named reference: String) throws -> Host {
        let vms = fixture.virtualMachines.filter { $0.name == reference || ResourceID.equal($0.id, reference) }
        if vms.count > 1 { throw SimulatorError.ambiguous("several VMs are named \(reference); use its resource id") }
        if let vm = vms.first {
            return Host(
                kind: .virtualMachine, resourceID: vm.id, subscriptionId: vm.subscriptionId,
                resourceGroup: vm.resourceGroup, location: vm.location, name: vm.name, scaleSetName: nil,
                vmId: vm.vmId, vmSize: vm.vmSize, system: vm.systemAssignedIdentity,
                userAssigned: vm.userAssignedIdentities.compactMap(fixture.resolveIdentity))
        }
        for scaleSet in fixture.virtualMachineScaleSets where scaleSet.orchestrationMode == .flexible {
            for suffix in scaleSet.instances {
                let name = "\(scaleSet.name)_\(suffix)"
                let id = ResourceID.make(
                    scaleSet.subscriptionId, scaleSet.resourceGroup, "Microsoft.Compute/virtualMachines", name)
                if name == reference || ResourceID.equal(id, reference) {
                    return try self.host(scaleSet: scaleSet.name, instance: suffix)
                }
            }
        }
        throw SimulatorError.notFound("virtual machine \(reference)")
    }

    /// An instance of a scale set; nil picks the first instance.
    func host(scaleSet reference: String, instance: String?) throws -> Host {
        let sets = fixture.virtualMachineScaleSets.filter { $0.name == reference || ResourceID.equal($0.id, reference) }
        if sets.count > 1 { throw SimulatorError.ambiguous("several scale sets are named \(reference)") }
        guard let scaleSet = sets.first else { throw SimulatorError.notFound("virtual machine scale set \(reference)") }
        guard let instance = instance ?? scaleSet.instances.first, scaleSet.instances.contains(instance) else {
            throw SimulatorError.notFound("instance \(instance ?? "(any)") of scale set \(scaleSet.name)")
        }
        let flexible = scaleSet.orchestrationMode == .flexible
        let vmName = "\(scaleSet.name)_\(instance)"
        return Host(
            kind: flexible ? .flexibleInstance : .uniformInstance,
            resourceID: flexible
                ? ResourceID.make(
                    scaleSet.subscriptionId, scaleSet.resourceGroup, "Microsoft.Compute/virtualMachines", vmName)
                : scaleSet.id,
            subscriptionId: scaleSet.subscriptionId, resourceGroup: scaleSet.resourceGroup,
            location: scaleSet.location, name: vmName, scaleSetName: scaleSet.name,
            vmId: Self.stableUUID("\(scaleSet.id)/\(instance)"), vmSize: "Standard_B2s",
            system: scaleSet.systemAssignedIdentity,
            userAssigned: scaleSet.userAssignedIdentities.compactMap(fixture.resolveIdentity))
    }

    /// A generic resource (App Service site, …) by id or by its last name segment.
    func host(resource reference: String) throws -> Host {
        let matches = fixture.resources.filter {
            ResourceID.equal($0.id, reference) || ResourceID.parse($0.id)?.nameSegments.last == reference
        }
        if matches.count > 1 { throw SimulatorError.ambiguous("several resources are named \(reference)") }
        guard let resource = matches.first, let parsed = ResourceID.parse(resource.id) else {
            throw SimulatorError.notFound("resource \(reference)")
        }
        return Host(
            kind: .resource, resourceID: resource.id, subscriptionId: parsed.subscription,
            resourceGroup: parsed.resourceGroup ?? "", location: resource.location, name: parsed.name,
            scaleSetName: nil, vmId: Self.stableUUID(resource.id), vmSize: "", system: resource.systemAssignedIdentity,
            userAssigned: resource.userAssignedIdentities.compactMap(fixture.resolveIdentity))
    }

    func currentHost() throws -> Host {
        guard let current = fixture.currentMachine else {
            throw SimulatorError.notFound("no current machine is configured (fixture \"currentMachine\")")
        }
        if let scaleSet = current.scaleSet { return try host(scaleSet: scaleSet, instance: current.instance) }
        guard let vm = current.virtualMachine else { throw SimulatorError.notFound("current machine has no name") }
        return try host(named: vm)
    }

    // MARK: Identities

    /// The identity a token is for, with the claims that tie it to its resource.
    struct Grant: Equatable {
        var tenantID: String
        var principalID: String
        var clientID: String
        var mirid: String
        var azRid: String?
    }

    enum Selector: Equatable {
        case clientID(String)
        case objectID(String)
        case resourceID(String)
        /// Name, client id, principal id or resource id of a user-assigned identity.
        case any(String)
    }

    enum SelectionFailure: Error, Equatable {
        case noIdentity
        case notFound
        case ambiguous
    }

    /// IMDS's rule: an explicit selector names a user-assigned identity (or the system one by object/client
    /// id); none picks the system identity, else the only user-assigned one.
    func grant(on host: Host, selector: Selector?) throws(SelectionFailure) -> Grant {
        let tenant = fixture.tenant(forSubscription: host.subscriptionId)?.tenantId ?? ""
        func systemGrant(_ system: SimulatorFixture.SystemIdentity) -> Grant {
            Grant(
                tenantID: tenant, principalID: system.principalId, clientID: system.clientId,
                mirid: ResourceID.claimForm(host.resourceID), azRid: nil)
        }
        func userGrant(_ identity: SimulatorFixture.UserAssignedIdentity) -> Grant {
            Grant(
                tenantID: fixture.tenant(forSubscription: identity.subscriptionId)?.tenantId ?? tenant,
                principalID: identity.principalId, clientID: identity.clientId,
                mirid: ResourceID.claimForm(identity.id), azRid: ResourceID.claimForm(host.resourceID))
        }
        guard let selector else {
            if let system = host.system { return systemGrant(system) }
            if host.userAssigned.count == 1 { return userGrant(host.userAssigned[0]) }
            throw host.userAssigned.isEmpty ? .noIdentity : .ambiguous
        }
        let same = ResourceID.equal
        if let system = host.system {
            switch selector {
            case .clientID(let value) where same(value, system.clientId): return systemGrant(system)
            case .objectID(let value) where same(value, system.principalId): return systemGrant(system)
            default: break
            }
        }
        let match = host.userAssigned.first { identity in
            switch selector {
            case .clientID(let value): return same(value, identity.clientId)
            case .objectID(let value): return same(value, identity.principalId)
            case .resourceID(let value): return same(value, identity.id)
            case .any(let value):
                return identity.name == value || same(value, identity.clientId) || same(value, identity.principalId)
                    || same(value, identity.id)
            }
        }
        guard let match else { throw .notFound }
        return userGrant(match)
    }

    /// Ids of the tenant's groups that list the principal as a member.
    func groups(of principal: String, tenant: String) -> [String] {
        let groups = fixture.tenants.first { ResourceID.equal($0.tenantId, tenant) }?.groups ?? []
        return groups.filter { $0.members.contains { ResourceID.equal($0, principal) } }.map(\.id)
    }

    func tenant(_ reference: String) -> SimulatorFixture.Tenant? {
        fixture.tenants.first {
            ResourceID.equal($0.tenantId, reference) || $0.defaultDomain.map { ResourceID.equal($0, reference) } == true
        }
    }

    /// An app registration or a user-assigned identity (which can also hold federated credentials) by client id.
    enum Client {
        case application(SimulatorFixture.Application)
        case managedIdentity(SimulatorFixture.UserAssignedIdentity)
    }

    func client(id: String, tenant: SimulatorFixture.Tenant) -> Client? {
        if let app = tenant.applications.first(where: { ResourceID.equal($0.appId, id) }) { return .application(app) }
        if let identity = fixture.userAssignedIdentities.first(where: {
            ResourceID.equal($0.clientId, id)
                && fixture.tenant(forSubscription: $0.subscriptionId)?.tenantId == tenant.tenantId
        }) {
            return .managedIdentity(identity)
        }
        return nil
    }

    // MARK: ARM objects

    /// One ARM resource and how to render it.
    struct ARMObject {
        var id: String
        var parsed: ResourceID
        var location: String
        var render: (_ expandInstanceView: Bool) -> JSONValue
    }

    /// Every ARM object of the estate, in the order list endpoints show them.
    func objects() -> [ARMObject] {
        identityObjects() + virtualMachineObjects() + scaleSetObjects() + otherResourceObjects()
    }

    /// Appends an object whose id parses as an ARM id; others are skipped, as if absent.
    private static func add(
        to objects: inout [ARMObject], _ id: String, _ location: String, _ render: @escaping (Bool) -> JSONValue
    ) {
        guard let parsed = ResourceID.parse(id) else { return }
        objects.append(ARMObject(id: id, parsed: parsed, location: location, render: render))
    }

    /// User-assigned managed identities.
    private func identityObjects() -> [ARMObject] {
        var objects: [ARMObject] = []
        for identity in fixture.userAssignedIdentities {
            let tenant = fixture.tenant(forSubscription: identity.subscriptionId)?.tenantId ?? ""
            Self.add(to: &objects, identity.id, identity.location) { _ in
                [
                    "id": .string(identity.id), "name": .string(identity.name),
                    "type": "Microsoft.ManagedIdentity/userAssignedIdentities", "location": .string(identity.location),
                    "tags": [:],
                    "properties": [
                        "tenantId": .string(tenant), "principalId": .string(identity.principalId),
                        "clientId": .string(identity.clientId),
                    ],
                ]
            }
        }
        return objects
    }

    /// Standalone virtual machines.
    private func virtualMachineObjects() -> [ARMObject] {
        var objects: [ARMObject] = []
        for vm in fixture.virtualMachines {
            Self.add(to: &objects, vm.id, vm.location) { expand in
                virtualMachineJSON(
                    id: vm.id, name: vm.name, location: vm.location, vmId: vm.vmId, vmSize: vm.vmSize,
                    identity: identityJSON(
                        vm.systemAssignedIdentity, vm.userAssignedIdentities, subscription: vm.subscriptionId,
                        withPrincipals: true), scaleSetID: nil, expand: expand)
            }
        }
        return objects
    }

    /// Scale sets, and for flexible ones the virtual machine of each instance.
    private func scaleSetObjects() -> [ARMObject] {
        var objects: [ARMObject] = []
        for scaleSet in fixture.virtualMachineScaleSets {
            let flexible = scaleSet.orchestrationMode == .flexible
            Self.add(to: &objects, scaleSet.id, scaleSet.location) { _ in
                var json: [String: JSONValue] = [
                    "id": .string(scaleSet.id), "name": .string(scaleSet.name),
                    "type": "Microsoft.Compute/virtualMachineScaleSets", "location": .string(scaleSet.location),
                    "sku": [
                        "name": "Standard_B2s", "tier": "Standard", "capacity": .int(Int64(scaleSet.instances.count)),
                    ],
                    "properties": [
                        "orchestrationMode": .string(scaleSet.orchestrationMode.rawValue),
                        "provisioningState": "Succeeded", "uniqueId": .string(Self.stableUUID(scaleSet.id)),
                    ],
                ]
                // Azure omits principalId/clientId of user-assigned entries for flexible scale sets.
                json["identity"] = identityJSON(
                    scaleSet.systemAssignedIdentity, scaleSet.userAssignedIdentities,
                    subscription: scaleSet.subscriptionId, withPrincipals: !flexible)
                return .object(json.filter { $0.value != .null })
            }
            guard flexible else { continue }
            for suffix in scaleSet.instances {
                let name = "\(scaleSet.name)_\(suffix)"
                let id = ResourceID.make(
                    scaleSet.subscriptionId, scaleSet.resourceGroup, "Microsoft.Compute/virtualMachines", name)
                Self.add(to: &objects, id, scaleSet.location) { expand in
                    virtualMachineJSON(
                        id: id, name: name, location: scaleSet.location, vmId: Self.stableUUID(id),
                        vmSize: "Standard_B2s",
                        identity: identityJSON(
                            scaleSet.systemAssignedIdentity, scaleSet.userAssignedIdentities,
                            subscription: scaleSet.subscriptionId, withPrincipals: true),
                        scaleSetID: scaleSet.id, expand: expand)
                }
            }
        }
        return objects
    }

    /// The fixture's other resources, with their identities.
    private func otherResourceObjects() -> [ARMObject] {
        var objects: [ARMObject] = []
        for resource in fixture.resources {
            guard let parsed = ResourceID.parse(resource.id) else { continue }
            Self.add(to: &objects, resource.id, resource.location) { _ in
                var json: [String: JSONValue] = [
                    "id": .string(resource.id), "name": .string(parsed.name), "type": .string(parsed.type),
                    "location": .string(resource.location), "kind": .optional(resource.kind),
                    "properties": resource.properties ?? [:], "tags": [:],
                ]
                json["identity"] = identityJSON(
                    resource.systemAssignedIdentity, resource.userAssignedIdentities,
                    subscription: parsed.subscription, withPrincipals: true)
                return .object(json.filter { $0.value != .null })
            }
        }
        return objects
    }

    func object(id: String) -> ARMObject? {
        objects().first { ResourceID.equal($0.id, id) }
    }

    func subscriptionExists(_ subscription: String) -> Bool {
        fixture.tenants.contains { $0.subscriptions.contains { ResourceID.equal($0, subscription) } }
            || objects().contains { ResourceID.equal($0.parsed.subscription, subscription) }
    }

    func resourceGroupExists(subscription: String, group: String) -> Bool {
        objects().contains {
            ResourceID.equal($0.parsed.subscription, subscription)
                && ResourceID.equal($0.parsed.resourceGroup ?? "", group)
        }
    }

    private func identityJSON(
        _ system: SimulatorFixture.SystemIdentity?, _ references: [String], subscription: String, withPrincipals: Bool
    ) -> JSONValue {
        let identities = references.compactMap(fixture.resolveIdentity)
        guard system != nil || !identities.isEmpty else { return .null }
        var json: [String: JSONValue] = [:]
        switch (system != nil, !identities.isEmpty) {
        case (true, true): json["type"] = "SystemAssigned, UserAssigned"
        case (true, false): json["type"] = "SystemAssigned"
        default: json["type"] = "UserAssigned"
        }
        if let system {
            json["principalId"] = .string(system.principalId)
            json["tenantId"] = .string(fixture.tenant(forSubscription: subscription)?.tenantId ?? "")
        }
        if !identities.isEmpty {
            var entries: [String: JSONValue] = [:]
            for identity in identities {
                entries[identity.id] =
                    withPrincipals
                    ? ["principalId": .string(identity.principalId), "clientId": .string(identity.clientId)] : [:]
            }
            json["userAssignedIdentities"] = .object(entries)
        }
        return .object(json)
    }

    private func virtualMachineJSON(
        id: String, name: String, location: String, vmId: String, vmSize: String, identity: JSONValue,
        scaleSetID: String?, expand: Bool
    ) -> JSONValue {
        var properties: [String: JSONValue] = [
            "vmId": .string(vmId), "hardwareProfile": ["vmSize": .string(vmSize)], "provisioningState": "Succeeded",
            "osProfile": ["computerName": .string(name), "adminUsername": "azureuser"],
            "storageProfile": ["osDisk": ["osType": "Linux", "name": .string("\(name)_OsDisk")]],
        ]
        if let scaleSetID { properties["virtualMachineScaleSet"] = ["id": .string(scaleSetID)] }
        if expand {
            properties["instanceView"] = [
                "computerName": .string(name), "osName": "ubuntu", "osVersion": "22.04",
                "statuses": [
                    [
                        "code": "ProvisioningState/succeeded", "level": "Info",
                        "displayStatus": "Provisioning succeeded",
                    ],
                    ["code": "PowerState/running", "level": "Info", "displayStatus": "VM running"],
                ],
            ]
        }
        var json: [String: JSONValue] = [
            "id": .string(id), "name": .string(name), "type": "Microsoft.Compute/virtualMachines",
            "location": .string(location), "properties": .object(properties),
        ]
        if identity != .null { json["identity"] = identity }
        return .object(json)
    }

    /// A UUID derived from a string, so derived ids stay the same across requests and restarts.
    static func stableUUID(_ seed: String) -> String {
        var bytes = [UInt8](repeating: 0, count: 16)
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for (index, byte) in seed.utf8.enumerated() {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
            bytes[index % 16] ^= UInt8(truncatingIfNeeded: hash >> 24)
        }
        for index in 0..<16 {
            hash = (hash ^ UInt64(index)) &* 0x100_0000_01b3
            bytes[index] ^= UInt8(truncatingIfNeeded: hash >> 32)
        }
        let hex = bytes.map { String(format: "%02x", $0) }.joined()
        let characters = Array(hex)
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(characters[$0]) }.joined(separator: "-")
    }
}
