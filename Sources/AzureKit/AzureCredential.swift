import Foundation

/// An OAuth access token for one scope. Its description never shows the token.
public struct AccessToken: Sendable, Equatable, CustomStringConvertible {
    public var token: String
    public var expiresOn: Date

    public init(token: String, expiresOn: Date) {
        self.token = token
        self.expiresOn = expiresOn
    }

    public var description: String { "AccessToken(expiresOn: \(expiresOn))" }
}

/// A source of access tokens for Azure APIs (ARM, Graph).
///
/// ```swift
/// let credential: any AzureCredential = CachingCredential(ClientSecretCredential(…))
/// let token = try await credential.token(scope: cloud.armScope)
/// ```
///
/// Failures are ``AzureError/upstream(call:status:detail:)`` (never containing a secret) or
/// ``AzureError/configuration(_:)``.
public protocol AzureCredential: Sendable {
    func token(scope: String) async throws -> AccessToken
}
