import CofferCore
import CofferFramework
import Synchronization

/// A test-only auth method exercising the core's login plumbing: `login` answers an `Auth` built
/// from the request, and renewals are counted and can be refused. Never shipped in the product.
///
/// ```swift
/// let harness = try await CoreHarness.make()   // mounts can now use type "test-auth"
/// await harness.request(.update, "sys/auth/test", ["type": "test-auth"])
/// let login = await harness.request(.update, "auth/test/login", ["user": "alice", "policies": "app"], token: "")
/// ```
public enum TestAuthMethod {
    public static let renewals = Mutex<Int>(0)
    public static let refuseRenewal = Mutex<Bool>(false)

    public static let factory = BackendFactory(type: "test-auth", kind: .credential) { _ in
        FrameworkBackend(
            kind: .credential,
            paths: [
                PathDefinition(
                    "login",
                    fields: [
                        "user": FieldSchema(.string), "policies": FieldSchema(.commaStringSlice),
                        "ttl": FieldSchema(.duration), "max_ttl": FieldSchema(.duration),
                        "period": FieldSchema(.duration), "groups": FieldSchema(.commaStringSlice),
                        "token_type": FieldSchema(.string),
                    ],
                    operations: [
                        .update: PathOperation { _, fields in
                            let user = try fields.string("user")
                            guard !user.isEmpty else { throw LogicalError.badRequest("missing user") }
                            var auth = Auth(
                                policies: try fields.stringSlice("policies"), metadata: ["user": user],
                                displayName: user, alias: Alias(name: user, metadata: ["source": "test"]))
                            auth.groupAliases = try fields.stringSlice("groups").map { Alias(name: $0) }
                            auth.ttl = try fields.duration("ttl")
                            auth.maxTTL = try fields.duration("max_ttl")
                            auth.period = try fields.duration("period")
                            auth.tokenType = TokenType(rawValue: try fields.string("token_type")) ?? .default
                            auth.internalData = ["user": .string(user)]
                            return .login(auth)
                        }
                    ], unauthenticated: true)
            ],
            renew: { auth, _ in
                if refuseRenewal.withLock({ $0 }) { throw LogicalError.badRequest("role no longer exists") }
                renewals.withLock { $0 += 1 }
                return auth
            })
    }
}
