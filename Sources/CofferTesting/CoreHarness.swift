import CofferCore
import CofferFramework
import CofferStorage
import Crypto
import Foundation
import KVSecrets

/// A core on in-memory storage, initialised, with KV and ``TestAuthMethod`` in its catalog (or the catalog a
/// test passes), driven through the same `Core.handle` the HTTP layer calls.
///
/// ```swift
/// let harness = try await CoreHarness.make()
/// #expect(await harness.request(.update, "sys/mounts/secret", ["type": "kv"]).status == 204)
/// let token = await harness.request(.update, "auth/token/create", ["policies": "app"]).clientToken
/// ```
public struct CoreHarness: Sendable {
    public let core: Core
    public let physical: any PhysicalStorage
    public let rootToken: String
    public let sealKey: SymmetricKey

    /// The catalog is KV, ``TestAuthMethod`` and `extraBackends`.
    public static func make(
        physical: any PhysicalStorage = MemoryPhysical(), rootTokenID: String? = nil,
        extraBackends: [BackendFactory] = []
    ) async throws -> CoreHarness {
        try await make(
            physical: physical, rootTokenID: rootTokenID,
            catalog: KVBackend.factories + [TestAuthMethod.factory] + extraBackends)
    }

    /// A harness whose catalog is exactly `catalog`.
    public static func make(
        physical: any PhysicalStorage = MemoryPhysical(), rootTokenID: String? = nil, catalog: [BackendFactory]
    ) async throws -> CoreHarness {
        var configuration = CoreConfiguration()
        configuration.catalog = catalog
        let core = Core(barrier: Barrier(physical: physical), configuration: configuration)
        let key = SymmetricKey(size: .bits256)
        let root = try await core.initialize(sealKey: key, rootTokenID: rootTokenID)
        return CoreHarness(core: core, physical: physical, rootToken: root, sealKey: key)
    }

    /// Sends one request as the root token unless `token` names another.
    @discardableResult
    public func request(
        _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:], token: String? = nil,
        remoteAddress: String? = "127.0.0.1"
    ) async -> CoreResponse {
        await core.handle(
            CoreRequest(
                id: UUID().uuidString, operation: operation, path: path, data: data, token: token ?? rootToken,
                remoteAddress: remoteAddress))
    }
}
