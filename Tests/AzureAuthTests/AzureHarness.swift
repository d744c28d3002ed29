import AzureAuth
import AzureKit
import CofferCore
import CofferFramework
import CofferStorage
import Crypto
import Foundation
import KVSecrets
import Logging

/// A core with the Azure auth method in its catalog, initialised on in-memory storage.
struct AzureHarness {
    let core: Core
    let rootToken: String

    static func make(
        environment: [String: String] = [:], rotation: AzureRotationKnobs = AzureRotationKnobs(),
        services: @escaping @Sendable () -> any AzureServicesFactory = { OfflineServices() }
    ) async throws -> AzureHarness {
        var configuration = CoreConfiguration()
        configuration.catalog =
            KVBackend.factories + [
                AzureAuthMethod.factory(
                    environment: environment, logger: Logger(label: "test"), rotation: rotation,
                    makeServicesFactory: services)
            ]
        let core = Core(barrier: Barrier(physical: MemoryPhysical()), configuration: configuration)
        let root = try await core.initialize(sealKey: SymmetricKey(size: .bits256))
        return AzureHarness(core: core, rootToken: root)
    }

    @discardableResult
    func request(
        _ operation: LogicalOperation, _ path: String, _ data: [String: JSONValue] = [:], token: String? = nil,
        remoteAddress: String = "127.0.0.1"
    ) async -> CoreResponse {
        await core.handle(
            CoreRequest(
                id: UUID().uuidString, operation: operation, path: path, data: data, token: token ?? rootToken,
                remoteAddress: remoteAddress))
    }
}

/// For tests of paths that must never reach Azure: building Azure clients fails the test loudly.
struct OfflineServices: AzureServicesFactory {
    struct ContactedAzure: Error {}
    func makeServices(_ settings: AzureSettings) throws -> AzureServices { throw ContactedAzure() }
    func shutdown() async {}
}

extension CoreResponse {
    var errors: [String]? {
        if case .errors(let errors) = body { return errors }
        return nil
    }

    var data: [String: JSONValue] {
        if case .envelope(let envelope) = body { return envelope.data ?? [:] }
        return [:]
    }

    var warnings: [String] {
        if case .envelope(let envelope) = body { return envelope.warnings }
        return []
    }

    var auth: [String: JSONValue] {
        if case .envelope(let envelope) = body { return envelope.auth ?? [:] }
        return [:]
    }
}
