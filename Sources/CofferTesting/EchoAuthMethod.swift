import CofferFramework

/// A whole auth method written only against the public framework, to show what a new one needs: paths with
/// typed fields, the shared ``TokenParams`` group on its roles, and a login that answers `.login(auth)`. The
/// core's shared token issuer mints the token; nothing is added to the core. It trusts whoever names a role,
/// so it is for tests only.
///
/// ```swift
/// let harness = try await CoreHarness.make(extraBackends: [EchoAuthMethod.factory])
/// await harness.request(.update, "sys/auth/echo", ["type": EchoAuthMethod.type])
/// await harness.request(.update, "auth/echo/role/dev", ["token_policies": "dev", "token_ttl": "1h"])
/// let login = await harness.request(.update, "auth/echo/login", ["role": "dev", "user": "ann"], token: "")
/// ```
public enum EchoAuthMethod {
    public static let type = "echo-auth"

    public static let factory = BackendFactory(type: type, kind: .credential) { _ in
        FrameworkBackend(
            kind: .credential,
            paths: [
                PathDefinition(
                    "role/{name}",
                    fields: TokenParams.fields.merging(["name": FieldSchema(.lowerCaseString)]) { own, _ in own },
                    operations: [
                        .read: PathOperation("Read a role") { request, fields in
                            try await role(request, fields.string("name")).map { LogicalResponse(data: $0.readData()) }
                        },
                        .update: PathOperation("Write a role") { request, fields in
                            let name = try fields.string("name")
                            var role = try await role(request, name) ?? TokenParams()
                            try role.parse(fields)
                            try await request.storage.putJSON("role/" + name, role)
                            return nil
                        },
                    ]),
                PathDefinition(
                    "login",
                    fields: ["role": FieldSchema(.lowerCaseString), "user": FieldSchema(.string)],
                    operations: [.update: PathOperation("Log in as anyone") { try await login($0, $1) }],
                    unauthenticated: true),
            ],
            renew: { auth, request in
                // A renewal applies the role's current lifetimes, as real methods do.
                guard let name = auth.internalData["role"]?.stringValue, let role = try await role(request, name)
                else { throw LogicalError.badRequest("role no longer exists") }
                var renewed = auth
                renewed.ttl = role.ttl
                renewed.maxTTL = role.maxTTL
                renewed.period = role.period
                return renewed
            })
    }

    static func role(_ request: LogicalRequest, _ name: String) async throws -> TokenParams? {
        try await request.storage.getJSON(TokenParams.self, "role/" + name)
    }

    static func login(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse {
        let name = try fields.string("role")
        let user = try fields.string("user")
        guard !user.isEmpty else { throw LogicalError.badRequest("missing user") }
        guard let role = try await role(request, name) else {
            throw LogicalError.badRequest("invalid role name \"\(name)\"")
        }
        var auth = Auth(
            metadata: ["role": name], displayName: user, alias: Alias(name: user), internalData: ["role": .string(name)]
        )
        role.populate(&auth)
        return .login(auth)
    }
}
