import CofferFramework

/// A test auth method whose logins report group aliases, as the Azure method reports a token's `groups` claim.
/// `login` takes `user` and `groups` (comma-separated) and records the groups; a renewal reports the groups
/// recorded last, so a test can change a user's groups between login and renewal.
///
/// ```swift
/// let harness = try await CoreHarness.make(extraBackends: [GroupReportingAuthMethod.factory])
/// await harness.request(.update, "sys/auth/idp", ["type": GroupReportingAuthMethod.type])
/// await harness.request(.update, "auth/idp/login", ["user": "ann", "groups": "g1,g2"], token: "")
/// ```
enum GroupReportingAuthMethod {
    static let type = "group-reporting-auth"

    static let factory = BackendFactory(type: type, kind: .credential) { _ in
        FrameworkBackend(
            kind: .credential,
            paths: [
                PathDefinition(
                    "login",
                    fields: ["user": FieldSchema(.string), "groups": FieldSchema(.commaStringSlice)],
                    operations: [
                        .update: PathOperation("Log in with groups") { request, fields in
                            let user = try fields.string("user")
                            let groups = try fields.stringSlice("groups")
                            try await request.storage.putJSON("groups/" + user, groups)
                            return .login(auth(user: user, groups: groups))
                        }
                    ], unauthenticated: true),
                PathDefinition(
                    "groups/{user}", fields: ["user": FieldSchema(.string), "groups": FieldSchema(.commaStringSlice)],
                    operations: [
                        .update: PathOperation("Set the groups the next renewal reports") { request, fields in
                            try await request.storage.putJSON(
                                "groups/" + fields.string("user"), fields.stringSlice("groups"))
                            return nil
                        }
                    ]),
            ],
            renew: { auth, request in
                let user = auth.alias?.name ?? ""
                let groups = try await request.storage.getJSON([String].self, "groups/" + user) ?? []
                var renewed = auth
                renewed.groupAliases = groups.map { Alias(name: $0) }
                return renewed
            })
    }

    static func auth(user: String, groups: [String]) -> Auth {
        var auth = Auth(
            displayName: user, alias: Alias(name: user), groupAliases: groups.map { Alias(name: $0) })
        auth.ttl = 3600
        auth.renewable = true
        return auth
    }
}
