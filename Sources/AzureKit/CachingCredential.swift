import Foundation
import Synchronization

/// Caches another credential's tokens per scope until 5 minutes before they expire; concurrent requests
/// for a scope share one fetch.
///
/// ```swift
/// let credential = CachingCredential(ClientSecretCredential(…))
/// _ = try await credential.token(scope: cloud.armScope)   // fetched
/// _ = try await credential.token(scope: cloud.armScope)   // cached
/// ```
public final class CachingCredential: AzureCredential {
    public let base: any AzureCredential
    private let refreshMargin: TimeInterval
    private let now: @Sendable () -> Date
    private let entries = Mutex<[String: CoalescedValue<AccessToken>]>([:])

    public init(
        _ base: any AzureCredential, refreshMargin: TimeInterval = 300, now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.base = base
        self.refreshMargin = refreshMargin
        self.now = now
    }

    public func token(scope: String) async throws -> AccessToken {
        let entry = entries.withLock { entries in
            if let existing = entries[scope] { return existing }
            let created = CoalescedValue<AccessToken>()
            entries[scope] = created
            return created
        }
        let (base, margin, now) = (self.base, refreshMargin, self.now)
        return try await entry.get(
            accept: { $0.expiresOn.timeIntervalSince(now()) > margin }, permit: { true },
            load: { try await base.token(scope: scope) })
    }
}
