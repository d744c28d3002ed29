import AzureKit
import CofferFramework
import Synchronization

/// API versions for `resource_id` logins, looked up from the resource provider (spec §3.7) and
/// cached per mount.
final class APIVersionCache: Sendable {
    static let fallback = "2022-03-01"
    private let versions = Mutex<[String: String]>([:])

    func version(for id: ResourceIDClaim, subscription: String, resourceManager: any AzureResourceManaging) async throws
        -> String
    {
        let key = "\(id.providerNamespace)/\(id.typePath)"
        if let cached = versions.withLock({ $0[key] }) { return cached }
        let types: [String: [String]]
        do {
            types = try await resourceManager.providerResourceTypes(subscription: subscription, namespace: id.providerNamespace)
        } catch let error as AzureError {
            throw AzureLogin.logicalError(error, prefix: "unable to get the provider for resource \"\(id.providerNamespace)\"")
        }
        // The type must match exactly as spelled; an unknown type uses the fallback, uncached.
        guard let available = types[id.typePath] else { return Self.fallback }
        let chosen = available.first { !$0.contains("preview") } ?? Self.fallback
        versions.withLock { $0[key] = chosen }
        return chosen
    }
}
