import CofferClient

/// The `key=value` arguments of `coffer login -method=azure`, turned into an ``AzureAuthLogin``.
///
/// ```swift
/// let azure = try AzureLoginArguments.parse(["role=web", "client_id=f0e1…"]).method()
/// ```
/// Keys: `role` (required), `mount` (default `azure`), `resource` (default the ARM audience), at most
/// one of `client_id` / `object_id` / `msi_res_id`, `jwt`, and the login fields `subscription_id`,
/// `resource_group_name`, `vm_name`, `vmss_name`, `resource_id` (sent as given).
struct AzureLoginArguments {
    var values: [String: String]

    static let keys: Set<String> = Set(["role", "mount", "resource", "client_id", "object_id", "msi_res_id", "jwt"])
        .union(AzureAuthLogin.loginFieldNames)

    static func parse(_ arguments: [String]) throws -> AzureLoginArguments {
        var values: [String: String] = [:]
        for (key, value) in try KeyValueArguments.parse(arguments) {
            guard keys.contains(key) else {
                throw KeyValueArguments.ParseError(
                    description:
                        "unknown key \(GoQuote.quote(key)) for the azure method (expected one of \(keys.sorted().joined(separator: ", ")))"
                )
            }
            guard let text = value.stringValue else {
                throw KeyValueArguments.ParseError(description: "\(key) was given more than once")
            }
            values[key] = text.trimmed
        }
        return AzureLoginArguments(values: values)
    }

    func method() throws -> AzureAuthLogin {
        let identities: [AzureAuthLogin.Identity] = [
            values["client_id"].map(AzureAuthLogin.Identity.clientID),
            values["object_id"].map(AzureAuthLogin.Identity.objectID),
            values["msi_res_id"].map(AzureAuthLogin.Identity.resourceID),
        ].compactMap { $0 }
        guard identities.count <= 1 else {
            throw KeyValueArguments.ParseError(
                description: "only one of client_id, object_id or msi_res_id may be given")
        }
        return try AzureAuthLogin(
            role: values["role"] ?? "", mountPath: values["mount"] ?? AzureAuthLogin.defaultMountPath,
            resource: values["resource"] ?? AzureAuthLogin.defaultResource, identity: identities.first,
            jwt: values["jwt"], loginFields: values.filter { AzureAuthLogin.loginFieldNames.contains($0.key) })
    }
}
