/// An ARM resource id split into its parts, for exact claim matching (spec §11).
///
/// ```swift
/// let id = ResourceIDClaim("/subscriptions/s/resourcegroups/rg/providers/Microsoft.Compute/virtualMachines/vm")!
/// id.subscription   // "s"
/// id.resourceGroup  // "rg"
/// id.lastType       // "virtualmachines" (lower-cased)
/// id.lastName       // "vm"
/// ```
struct ResourceIDClaim: Sendable, Equatable {
    var subscription: String
    var resourceGroup: String
    var providerNamespace: String
    /// (type lower-cased, name) pairs after the provider namespace.
    var resources: [(type: String, name: String)]
    /// Resource types as spelled in the id (API-version lookups compare them case-sensitively).
    var spelledTypes: [String]

    static func == (a: ResourceIDClaim, b: ResourceIDClaim) -> Bool {
        a.subscription.lowercased() == b.subscription.lowercased()
            && a.resourceGroup.lowercased() == b.resourceGroup.lowercased()
            && a.providerNamespace.lowercased() == b.providerNamespace.lowercased()
            && a.resources.map { $0.type } == b.resources.map { $0.type }
            && a.resources.map { $0.name.lowercased() } == b.resources.map { $0.name.lowercased() }
    }

    init?(_ text: String) {
        guard text.hasPrefix("/") else { return nil }
        let parts = text.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 8, parts.count % 2 == 0, parts[0].lowercased() == "subscriptions",
            parts[2].lowercased() == "resourcegroups", parts[4].lowercased() == "providers",
            !parts.contains(where: \.isEmpty)
        else { return nil }
        subscription = parts[1]
        resourceGroup = parts[3]
        providerNamespace = parts[5]
        var resources: [(String, String)] = []
        var spelled: [String] = []
        var index = 6
        while index + 1 < parts.count {
            resources.append((parts[index].lowercased(), parts[index + 1]))
            spelled.append(parts[index])
            index += 2
        }
        self.resources = resources
        self.spelledTypes = spelled
    }

    var lastType: String { resources.last?.type ?? "" }
    var lastName: String { resources.last?.name ?? "" }

    /// `sites` / `sites/slots`: the type path as spelled in the id, for API-version lookups.
    var typePath: String { spelledTypes.joined(separator: "/") }

    func isIn(subscription: String, resourceGroup: String) -> Bool {
        self.subscription.lowercased() == subscription.lowercased()
            && self.resourceGroup.lowercased() == resourceGroup.lowercased()
    }

    var isUserAssignedIdentity: Bool {
        providerNamespace.lowercased() == "microsoft.managedidentity" && lastType == "userassignedidentities"
    }
}
