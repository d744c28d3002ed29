import CofferJSON
import Foundation

/// Login fields read from an Azure access token's `xms_az_rid` / `xms_mirid` claims (the resource the
/// identity belongs to), for sources that have no instance metadata. The token is only decoded,
/// not verified: the server verifies it and checks these fields against the same claims.
///
/// ```swift
/// AzureResourceFields.fields(fromToken: jwt, includeResource: true)
/// // ["subscription_id": "…", "resource_group_name": "rg-apps", "vm_name": "vm-web"]
/// ```
enum AzureResourceFields {
    /// The payload of a JWT as JSON; nil when it is not a JWT.
    static func claims(of token: String) -> [String: JSONValue]? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { return nil }
        var base64 = parts[1].replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64) else { return nil }
        return (try? JSONValue(parsing: data))?.objectValue
    }

    /// `subscription_id` and `resource_group_name`, plus — when `includeResource` — `vm_name`,
    /// `vmss_name` or `resource_id` for the compute resource or other resource the token names.
    /// A user-assigned identity alone (no `xms_az_rid`) only gives its subscription and group.
    static func fields(fromToken token: String, includeResource: Bool) -> [String: String] {
        guard let claims = claims(of: token) else { return [:] }
        let azRid = claims["xms_az_rid"]?.stringValue.flatMap(ResourceID.init)
        let mirid = claims["xms_mirid"]?.stringValue.flatMap(ResourceID.init)
        guard let id = azRid ?? mirid else { return [:] }
        var fields = ["subscription_id": id.subscription, "resource_group_name": id.resourceGroup]
        guard includeResource, !id.isUserAssignedIdentity else { return fields }
        switch (id.provider.lowercased(), id.types.first?.lowercased()) {
        case ("microsoft.compute", "virtualmachines"):
            let name = id.names[0]
            fields["vm_name"] = name
            // Flexible scale-set instances are VMs named `<scale set>_<suffix>`; VM names cannot hold `_`.
            if let separator = name.lastIndex(of: "_") { fields["vmss_name"] = String(name[..<separator]) }
        case ("microsoft.compute", "virtualmachinescalesets"):
            fields["vmss_name"] = id.names[0]
        default:
            fields["resource_id"] = id.text
        }
        return fields
    }

    /// The parts of an ARM resource id this client needs (segment names compared case-insensitively).
    struct ResourceID {
        let text: String
        let subscription: String
        let resourceGroup: String
        let provider: String
        let types: [String]
        let names: [String]

        init?(_ text: String) {
            let segments = text.split(separator: "/").map(String.init)
            guard segments.count >= 8, segments.count % 2 == 0, segments[0].lowercased() == "subscriptions",
                segments[2].lowercased() == "resourcegroups", segments[4].lowercased() == "providers"
            else { return nil }
            self.text = text
            subscription = segments[1]
            resourceGroup = segments[3]
            provider = segments[5]
            let rest = Array(segments[6...])
            types = stride(from: 0, to: rest.count, by: 2).map { rest[$0] }
            names = stride(from: 1, to: rest.count, by: 2).map { rest[$0] }
        }

        var isUserAssignedIdentity: Bool {
            provider.lowercased() == "microsoft.managedidentity"
                && types.first?.lowercased() == "userassignedidentities"
        }
    }
}
