import AzureAuth
import AzureKit

/// For tests of paths that must never reach Azure: building Azure clients fails the test loudly.
///
/// ```swift
/// let harness = try await AzureHarness.make(services: { OfflineServices() })
/// ```
public struct OfflineServices: AzureServicesFactory {
    public struct ContactedAzure: Error {
        public init() {}
    }

    public init() {}

    public func makeServices(_ settings: AzureSettings) throws -> AzureServices { throw ContactedAzure() }
    public func shutdown() async {}
}
