import AzureKit

extension ARMResourceID {
    /// Parses or returns nil (claims and login fields are untrusted input).
    init?(claim text: String) {
        guard let parsed = try? ARMResourceID(parsing: text) else { return nil }
        self = parsed
    }

    /// Whether the id lies in this subscription and resource group (case-insensitive, as Azure compares them).
    func isIn(subscription: String, resourceGroup: String) -> Bool {
        subscriptionID?.lowercased() == subscription.lowercased()
            && self.resourceGroup?.lowercased() == resourceGroup.lowercased()
    }

    /// The same resource, ignoring case (ARM ids are case-insensitive).
    func names(theSameResourceAs other: ARMResourceID) -> Bool { id.lowercased() == other.id.lowercased() }

    /// A single-level resource of `namespace/type`, e.g. `Microsoft.Compute/virtualMachines`.
    func isSingle(_ namespace: String, _ type: String) -> Bool { types.count == 1 && isType(namespace, type) }

    var isUserAssignedIdentity: Bool { isSingle("Microsoft.ManagedIdentity", "userAssignedIdentities") }
}
