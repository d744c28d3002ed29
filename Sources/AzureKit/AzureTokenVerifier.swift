import CofferJSON
import Foundation
import JWTKit
import Synchronization

/// Verifies Entra ID access tokens for one auth configuration (docs/azure-auth.md § Token verification,
/// § Key and discovery caching).
///
/// ```swift
/// let verifier = AzureTokenVerifier(settings: settings, http: http)   // one per configuration
/// let claims = try await verifier.verify(jwt)                          // AzureError.rejected / .upstream
/// ```
///
/// Order: shape and `alg` (RS256 only) and claim types are checked without any network call; then the
/// issuer against the tenant's v1 discovery document (or, for a v2-issued token, the v2 document, fetched
/// when such a token is first seen), `aud`, `exp`, zero-leeway `nbf`, and finally the signature against
/// the discovered JWKS. Discovery documents and keys are cached by this instance; concurrent first loads
/// share one fetch; an unknown `kid` refetches the keys at most once per `keyRefetchInterval` (the first
/// fetch does not count). Drop the instance when the configuration changes.
public final class AzureTokenVerifier: AzureTokenVerifying {
    public let resource: String
    private let v1URL: String
    private let v2URL: String
    private let http: AzureHTTP
    private let keyRefetchInterval: Duration
    private let now: @Sendable () -> Date

    private let v1Configuration = CoalescedValue<OpenIDConfiguration>()
    private let v2Configuration = CoalescedValue<OpenIDConfiguration>()
    private let keySets = Mutex<[String: CoalescedValue<SigningKeys>]>([:])
    private let cacheMetrics = JWKSCacheMetrics()
    private let lastRefetch = Mutex<ContinuousClock.Instant?>(nil)
    /// The last failed v2 discovery, replayed for `keyRefetchInterval` so tokens that merely claim to be v2
    /// cannot make every verification call Entra while its v2 endpoint fails.
    private let v2Failure = Mutex<(error: AzureError, at: ContinuousClock.Instant)?>(nil)

    public init(
        cloud: AzureCloud, tenantID: String, resource: String, http: AzureHTTP,
        keyRefetchInterval: Duration = .seconds(60), now: @escaping @Sendable () -> Date = { Date() }
    ) {
        let tenantBase = AzureURL.join(cloud.activeDirectoryEndpoint, AzureURL.escapeSegment(tenantID))
        self.v1URL = AzureURL.join(tenantBase, ".well-known/openid-configuration")
        self.v2URL = AzureURL.join(tenantBase, "v2.0/.well-known/openid-configuration")
        self.resource = resource
        self.http = http
        self.keyRefetchInterval = keyRefetchInterval
        self.now = now
    }

    public convenience init(settings: AzureSettings, http: AzureHTTP) {
        self.init(cloud: settings.cloud, tenantID: settings.tenantID, resource: settings.resource, http: http)
    }

    public func verify(_ jwt: String) async throws -> AzureTokenClaims {
        let token = try CompactJWT(parsing: jwt)
        let claims = try AzureTokenClaims(payload: token.payload)
        let configuration = try await configuration(issuing: claims)
        guard claims.audiences.contains(resource) else {
            throw AzureError.rejected(
                "oidc: expected audience \(GoQuote.quote(resource)) got [\(claims.audiences.map(GoQuote.quote).joined(separator: " "))]"
            )
        }
        let current = now().timeIntervalSince1970
        if current > claims.expiresAt {
            throw AzureError.rejected(
                "oidc: token is expired (Token Expiry: \(Self.goTime(claims.expiresAt)))")
        }
        if let notBefore = claims.notBefore, notBefore > current {
            throw AzureError.rejected(
                "token is not yet valid (Token Not Before: \(Self.goTime(notBefore)))")
        }
        try await verifySignature(token, keysAt: configuration.jwksURI)
        return claims
    }

    /// The discovery document whose issuer is the token's; a v2 document is only fetched for a token that
    /// says it is v2, so v1-only traffic never touches the v2 endpoint.
    private func configuration(issuing claims: AzureTokenClaims) async throws -> OpenIDConfiguration {
        let (http, v1URL, v2URL) = (self.http, self.v1URL, self.v2URL)
        let v1 = try await v1Configuration.get(accept: { _ in true }, permit: { false }) {
            try await OpenIDConfiguration.fetch(v1URL, http: http)
        }
        if claims.issuer == v1.issuer { return v1 }
        if claims.version == "2.0" || claims.issuer.hasSuffix("/v2.0") {
            let v2 = try await loadV2Configuration(v2URL, http: http)
            if claims.issuer == v2.issuer { return v2 }
        }
        throw AzureError.rejected(
            "oidc: id token issued by a different provider, expected \(GoQuote.quote(v1.issuer)) got \(GoQuote.quote(claims.issuer))"
        )
    }

    private func loadV2Configuration(_ url: String, http: AzureHTTP) async throws -> OpenIDConfiguration {
        if v2Configuration.current == nil, let failure = v2Failure.withLock({ $0 }),
            ContinuousClock.now - failure.at < keyRefetchInterval
        {
            throw failure.error
        }
        do {
            return try await v2Configuration.get(accept: { _ in true }, permit: { false }) {
                try await OpenIDConfiguration.fetch(url, http: http)
            }
        } catch let error as AzureError {
            v2Failure.withLock { $0 = (error, ContinuousClock.now) }
            throw error
        }
    }

    private func verifySignature(_ token: CompactJWT, keysAt jwksURI: String) async throws {
        let http = self.http
        let keySet = keySets.withLock { sets in
            if let existing = sets[jwksURI] { return existing }
            let created = CoalescedValue<SigningKeys>()
            sets[jwksURI] = created
            return created
        }
        let load: @Sendable () async throws -> SigningKeys = {
            let keys = try await SigningKeys.fetch(jwksURI, http: http)
            JWKSCacheMetrics.refreshed(keys: keys.algorithms.count)
            return keys
        }
        let candidates: [any JWTAlgorithm]
        if let kid = token.keyID {
            cacheMetrics.lookup(hit: keySet.current?.algorithms[kid] != nil)
            let keys = try await keySet.get(
                accept: { $0.algorithms[kid] != nil }, permit: { self.permitRefetch() }, load: load)
            candidates = keys.algorithms[kid].map { [$0] } ?? []
        } else {
            // No `kid`: like the reference, try every key of the tenant.
            cacheMetrics.lookup(hit: keySet.current != nil)
            let keys = try await keySet.get(accept: { _ in true }, permit: { false }, load: load)
            candidates = Array(keys.algorithms.values)
        }
        for algorithm in candidates where (try? algorithm.verify(token.signature, signs: token.signingInput)) == true {
            return
        }
        throw AzureError.rejected("failed to verify signature: failed to verify id token signature")
    }

    /// Go's `time.Time` text of a claim's seconds. These times are read before the signature is checked, so a
    /// forged token may carry any number (`1e300`); one no `Int64` holds is pinned to the nearer end instead of
    /// trapping on the conversion.
    static func goTime(_ seconds: Double) -> String {
        let whole = Int64(exactly: seconds.rounded(.towardZero)) ?? (seconds > 0 ? .max : .min)
        return RFC3339.goString(unixSeconds: whole)
    }

    /// Spends the refetch budget: true at most once per `keyRefetchInterval`.
    private func permitRefetch() -> Bool {
        let instant = ContinuousClock.now
        return lastRefetch.withLock { last in
            if let last, instant - last < keyRefetchInterval { return false }
            last = instant
            return true
        }
    }
}
