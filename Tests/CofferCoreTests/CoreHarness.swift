import CofferCore
import CofferFramework
import CofferStorage
import Crypto
import Foundation
import KVSecrets
import Synchronization

/// A core on in-memory storage, initialised, with KV and the test auth method in its catalog.
struct CoreHarness {
    let core: Core
    let physical: any PhysicalStorage
    let rootToken: String
    let sealKey: SymmetricKey

    static func make(physical: any PhysicalStorage = MemoryPhysical(), rootTokenID: String? = nil) async throws
        -> CoreHarness
    {
        var configuration = CoreConfiguration()
        configuration.catalog = KVBackend.factories + [TestAuthMethod.factory]
        let core = Core(barrier: Barrier(physical: physical), configuration: configuration)
        let key = SymmetricKey(size: .bits256)
        let root = try await core.initialize(sealKey: key, rootTokenID: rootTokenID)
        return CoreHarness(core: core, physical: physical, rootToken: root, sealKey: key)
    }

    @discardableResult
    func request(
        _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:], token: String? = nil,
        remoteAddress: String? = "127.0.0.1"
    ) async -> CoreResponse {
        await core.handle(
            CoreRequest(
                id: UUID().uuidString, operation: operation, path: path, data: data, token: token ?? rootToken,
                remoteAddress: remoteAddress))
    }
}

extension CoreResponse {
    var envelope: Envelope? {
        if case .envelope(let envelope) = body { return envelope }
        return nil
    }

    var errors: [String]? {
        if case .errors(let errors) = body { return errors }
        return nil
    }

    var data: [String: JSONValue] { envelope?.data ?? [:] }
    var auth: [String: JSONValue] { envelope?.auth ?? [:] }
    var clientToken: String? { auth["client_token"]?.stringValue }
}

/// A test-only auth method exercising the core's login plumbing: `login` answers an `Auth` built
/// from the request, and renewals are counted and can be refused. Never shipped in the product.
enum TestAuthMethod {
    static let renewals = Mutex<Int>(0)
    static let refuseRenewal = Mutex<Bool>(false)

    static let factory = BackendFactory(type: "test-auth", kind: .credential) { _ in
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
                            auth.tokenType = try fields.string("token_type")
                            auth.internalData = ["user": .string(user)]
                            return LogicalResponse(auth: auth)
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
