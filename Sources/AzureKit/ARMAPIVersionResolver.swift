import Synchronization

/// Picks the api-version for a `resource_id` login from the provider's metadata
/// (docs/azure-auth.md § API versions for resource_id).
///
/// ```swift
/// let resolver = ARMAPIVersionResolver(arm: armClient)
/// let version = try await resolver.apiVersion(resourceID: id, subscription: subscriptionID)
/// // or keep one resolver across configuration changes and pass the current client:
/// let version = try await ARMAPIVersionResolver().apiVersion(resourceID: id, subscription: sub, arm: armClient)
/// ```
///
/// The first non-preview version Azure lists for the exact (case-sensitive) resource type is cached under
/// `<Namespace>/<type>`; a type the provider does not list, or one with only previews, gets `2022-03-01`,
/// and a missing type is not cached.
public final class ARMAPIVersionResolver: Sendable {
    public static let fallbackVersion = "2022-03-01"

    private let arm: (any AzureResourceManaging)?
    private let cache = Mutex<[String: String]>([:])

    public init(arm: (any AzureResourceManaging)? = nil) {
        self.arm = arm
    }

    /// Looks the provider up with the client given at init.
    public func apiVersion(resourceID: String, subscription: String) async throws -> String {
        guard let arm else { throw AzureError.configuration("ARMAPIVersionResolver has no ARM client") }
        return try await apiVersion(resourceID: resourceID, subscription: subscription, arm: arm)
    }

    /// Throws ``AzureError/rejected(_:)`` `unable to parse the resource ID: "<id>"` for an id without a provider
    /// type; ARM errors of the provider lookup pass through.
    public func apiVersion(resourceID: String, subscription: String, arm: any AzureResourceManaging) async throws
        -> String
    {
        guard let parsed = try? ARMResourceID(parsing: resourceID), let namespace = parsed.providerNamespace else {
            throw AzureError.rejected("unable to parse the resource ID: \"\(resourceID)\"")
        }
        let key = parsed.fullType
        if let cached = cache.withLock({ $0[key] }) { return cached }
        let types = try await arm.providerResourceTypes(subscription: subscription, namespace: namespace)
        guard let versions = types[parsed.resourceType] else { return Self.fallbackVersion }
        let version = Self.choose(versions)
        cache.withLock { $0[key] = version }
        return version
    }

    /// The first version (Azure lists newest first) that is not a preview, else the fallback.
    public static func choose(_ versions: [String]) -> String {
        versions.first { !$0.contains("preview") } ?? fallbackVersion
    }
}
