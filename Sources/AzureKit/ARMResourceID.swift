/// A parsed Azure Resource Manager resource id; segment names (`subscriptions`, `resourceGroups`,
/// `providers`, type names) compare case-insensitively, values keep their spelling.
///
/// ```swift
/// let id = try ARMResourceID(parsing: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/app/slots/blue")
/// id.subscriptionID         // "s"
/// id.resourceGroup          // "rg"
/// id.providerNamespace      // "Microsoft.Web"
/// id.resourceType           // "sites/slots"
/// id.name                   // "blue"
/// id.name(ofType: "SITES")  // "app"
/// ```
///
/// For an extension resource (`…/providers/A/x/n/providers/B/y/m`) the namespace and types are those of the
/// last `providers` section.
public struct ARMResourceID: Sendable, Equatable, CustomStringConvertible {
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var id: String
        public var reason: String
        public var description: String { "invalid resource ID \"\(id)\": \(reason)" }
    }

    /// The id as given.
    public let id: String
    public let subscriptionID: String?
    public let resourceGroup: String?
    public let providerNamespace: String?
    /// Type names after the namespace, outermost first (`["sites", "slots"]`).
    public let types: [String]
    /// The name of each type in `types`.
    public let names: [String]

    public init(parsing id: String) throws(ParseError) {
        func fail(_ reason: String) -> ParseError { ParseError(id: id, reason: reason) }
        guard id.hasPrefix("/") else { throw fail("must start with /") }
        let segments = id.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !segments.contains(where: \.isEmpty) else { throw fail("has an empty segment") }
        var index = 0
        var subscription: String?
        var group: String?
        if segments.first?.lowercased() == "subscriptions" {
            guard segments.count >= 2 else { throw fail("subscriptions has no id") }
            subscription = segments[1]
            index = 2
            if index < segments.count, segments[index].lowercased() == "resourcegroups" {
                guard index + 1 < segments.count else { throw fail("resourceGroups has no name") }
                group = segments[index + 1]
                index += 2
            }
        } else if segments.first?.lowercased() != "providers" {
            throw fail("must start with /subscriptions/ or /providers/")
        }
        var namespace: String?
        var types: [String] = []
        var names: [String] = []
        while index < segments.count {
            if segments[index].lowercased() == "providers" {
                guard index + 1 < segments.count else { throw fail("providers has no namespace") }
                namespace = segments[index + 1]
                types = []
                names = []
                index += 2
                continue
            }
            guard namespace != nil else { throw fail("unexpected segment \"\(segments[index])\"") }
            guard index + 1 < segments.count else { throw fail("resource type \"\(segments[index])\" has no name") }
            types.append(segments[index])
            names.append(segments[index + 1])
            index += 2
        }
        if namespace != nil && types.isEmpty { throw fail("provider namespace has no resource type") }
        self.id = id
        self.subscriptionID = subscription
        self.resourceGroup = group
        self.providerNamespace = namespace
        self.types = types
        self.names = names
    }

    /// Nested type path, e.g. `sites/slots`; empty for a subscription or resource group id.
    public var resourceType: String { types.joined(separator: "/") }
    /// `<Namespace>/<type path>` as spelled in the id, e.g. `Microsoft.Web/sites`: the api-version cache key
    /// (docs/azure-auth.md § API versions for resource_id).
    public var fullType: String { providerNamespace.map { "\($0)/\(resourceType)" } ?? "" }
    /// The resource's own (last) name.
    public var name: String? { names.last }

    /// The name given to the first segment of type `type` (case-insensitive), e.g. `virtualMachines`.
    public func name(ofType type: String) -> String? {
        let wanted = type.lowercased()
        return types.firstIndex { $0.lowercased() == wanted }.map { names[$0] }
    }

    /// Whether the namespace and type path equal the given ones, ignoring case.
    public func isType(_ namespace: String, _ type: String) -> Bool {
        providerNamespace?.lowercased() == namespace.lowercased() && resourceType.lowercased() == type.lowercased()
    }

    public var description: String { id }
}
