import Foundation

/// ARM resource ids: building them in Azure's spelling and taking them apart.
///
/// ```swift
/// ResourceID.make(sub, "rg", "Microsoft.Compute/virtualMachines", "vm1")
/// // "/subscriptions/<sub>/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm1"
/// ResourceID.claimForm(id)   // same with "resourcegroups", as Azure writes xms_mirid / xms_az_rid
/// ResourceID.parse(id)?.type // "Microsoft.Compute/virtualMachines"
/// ```
struct ResourceID: Equatable {
    var subscription: String
    var resourceGroup: String?
    /// e.g. `Microsoft.Web`
    var namespace: String
    /// Type segments after the namespace, e.g. `["sites", "slots"]`.
    var typeSegments: [String]
    var nameSegments: [String]

    /// `<namespace>/<type>[/<nested type>]`
    var type: String { ([namespace] + typeSegments).joined(separator: "/") }
    var name: String { nameSegments.joined(separator: "/") }

    static func make(_ subscription: String, _ resourceGroup: String, _ type: String, _ name: String) -> String {
        "/subscriptions/\(subscription)/resourceGroups/\(resourceGroup)/providers/\(type)/\(name)"
    }

    /// Azure's managed-identity claims spell the resource-group segment in lower case.
    static func claimForm(_ id: String) -> String {
        guard let parsed = parse(id), let group = parsed.resourceGroup else { return id }
        var path = "/subscriptions/\(parsed.subscription)/resourcegroups/\(group)/providers/\(parsed.namespace)"
        for (type, name) in zip(parsed.typeSegments, parsed.nameSegments) { path += "/\(type)/\(name)" }
        return path
    }

    /// Parses `/subscriptions/<s>/resourceGroups/<rg>/providers/<ns>/<type>/<name>[/<type>/<name>…]`
    /// (segment names case-insensitive). Nil for anything else.
    static func parse(_ id: String) -> ResourceID? {
        let parts = id.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 7, parts[0].isEmpty, parts[1].lowercased() == "subscriptions", !parts[2].isEmpty,
            parts[3].lowercased() == "resourcegroups", !parts[4].isEmpty, parts[5].lowercased() == "providers"
        else { return nil }
        let rest = Array(parts[7...])
        guard rest.count >= 2, rest.count % 2 == 0, rest.allSatisfy({ !$0.isEmpty }), !parts[6].isEmpty else {
            return nil
        }
        return ResourceID(
            subscription: parts[2], resourceGroup: parts[4], namespace: parts[6],
            typeSegments: stride(from: 0, to: rest.count, by: 2).map { rest[$0] },
            nameSegments: stride(from: 1, to: rest.count, by: 2).map { rest[$0] })
    }

    static func equal(_ a: String, _ b: String) -> Bool { a.caseInsensitiveCompare(b) == .orderedSame }
}
