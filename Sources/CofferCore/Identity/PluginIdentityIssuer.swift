import CofferFramework
import CofferStorage
import Crypto
import Foundation
import Synchronization
import _CryptoExtras

/// Coffer as an OIDC issuer for its plugins (plugin workload identity federation): it signs
/// short-lived RS256 JWTs that name a mount (`sub = plugin-identity:<namespace>:auth:<accessor>`),
/// and publishes the discovery document and keys clouds use to verify them.
///
/// Keys rotate every `rotationPeriod`; a retired key stays published for `verificationTTL` so
/// tokens it signed keep verifying until they expire.
///
/// ```swift
/// let issuer = try await PluginIdentityIssuer.load(storage: barrier, defaultIssuer: "https://coffer.example:8200")
/// let jwt = try await issuer.token(mountAccessor: "auth_azure_1a2b3c4d", audience: "api://AzureADTokenExchange", ttl: 3600)
/// issuer.discoveryDocument()   // {"issuer": "<issuer>/v1/identity/oidc/plugins", "jwks_uri": …}
/// ```
public final class PluginIdentityIssuer: Sendable {
    struct StoredKey: Codable, Sendable {
        var kid: String
        var privateKeyDER: [UInt8]
        var created: Double
    }

    struct Stored: Codable, Sendable {
        var issuer: String
        var keys: [StoredKey]
    }

    let storage: StorageView
    let defaultIssuer: String
    private let state: Mutex<Stored>
    private let writeLock = AsyncLock()
    let rotationPeriod: Double
    let verificationTTL: Double
    let clock: @Sendable () -> Double

    init(
        storage: StorageView, stored: Stored, defaultIssuer: String, rotationPeriod: Double, verificationTTL: Double,
        clock: @escaping @Sendable () -> Double
    ) {
        self.storage = storage
        self.state = Mutex(stored)
        self.defaultIssuer = defaultIssuer
        self.rotationPeriod = rotationPeriod
        self.verificationTTL = verificationTTL
        self.clock = clock
    }

    /// Loads the issuer configuration and keys. The first signing key is made on first use, not
    /// here: most servers never sign a plugin token, and RSA key generation is slow at start-up.
    public static func load(
        storage: any Storage, defaultIssuer: String, rotationPeriod: Double = 86_400, verificationTTL: Double = 86_400,
        clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }
    ) async throws -> PluginIdentityIssuer {
        let view = StorageView(storage, prefix: "sys/identity/oidc/")
        let stored = try await view.getJSON(Stored.self, "plugins") ?? Stored(issuer: "", keys: [])
        return PluginIdentityIssuer(
            storage: view, stored: stored, defaultIssuer: defaultIssuer, rotationPeriod: rotationPeriod,
            verificationTTL: verificationTTL, clock: clock)
    }

    /// Creates the first signing key if there is none yet.
    func ensureKey() async throws {
        guard state.withLock({ $0.keys.isEmpty }) else { return }
        try await writeLock.withLock {
            var stored = state.withLock { $0 }
            guard stored.keys.isEmpty else { return }
            stored.keys = [Self.newKey(now: clock())]
            try await storage.putJSON("plugins", stored)
            state.withLock { $0 = stored }
        }
    }

    static func newKey(now: Double) -> StoredKey {
        let key = try! _RSA.Signing.PrivateKey(keySize: .bits2048)  // only fails for unsupported key sizes
        let der = Array(key.derRepresentation)
        let kid = Hex.encode(Array(SHA256.hash(data: Array(key.publicKey.derRepresentation)))).prefix(32)
        return StoredKey(kid: String(kid), privateKeyDER: der, created: now)
    }

    /// The externally reachable base URL (`identity/oidc/config` `issuer`), or the server's address.
    public var baseIssuer: String {
        let configured = state.withLock { $0.issuer }
        let base = configured.isEmpty ? defaultIssuer : configured
        return base.hasSuffix("/") ? String(base.dropLast()) : base
    }

    /// The `iss` of plugin identity tokens.
    public var pluginIssuer: String { baseIssuer + "/v1/identity/oidc/plugins" }

    public var configuredIssuer: String { state.withLock { $0.issuer } }

    public func setIssuer(_ issuer: String) async throws {
        if !issuer.isEmpty {
            guard let url = URL(string: issuer), let scheme = url.scheme, ["http", "https"].contains(scheme),
                url.host != nil, url.query == nil, url.fragment == nil
            else {
                throw LogicalError.badRequest("invalid issuer URL \"\(issuer)\": want scheme://host[:port]")
            }
        }
        try await writeLock.withLock {
            var stored = state.withLock { $0 }
            stored.issuer = issuer
            try await storage.putJSON("plugins", stored)
            state.withLock { $0 = stored }
        }
    }

    public func discoveryDocument() -> JSONValue {
        [
            "issuer": .string(pluginIssuer), "jwks_uri": .string(pluginIssuer + "/.well-known/keys"),
            "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        ]
    }

    /// The published keys: the current one and retired ones still inside their verification window.
    public func jwks() async throws -> JSONValue {
        try await ensureKey()
        let keys = state.withLock { $0.keys }
        var entries: [JSONValue] = []
        for stored in keys {
            let key = try _RSA.Signing.PrivateKey(derRepresentation: stored.privateKeyDER)
            let primitives = try key.publicKey.getKeyPrimitives()
            entries.append([
                "kty": "RSA", "use": "sig", "alg": "RS256", "kid": .string(stored.kid),
                "n": .string(Base64URL.encode(Array(primitives.modulus))),
                "e": .string(Base64URL.encode(Array(primitives.publicExponent))),
            ])
        }
        return ["keys": .array(entries)]
    }

    /// A signed plugin identity token for a mount.
    public func token(mountAccessor: String, audience: String, ttl: Int64, namespace: String = "root") async throws
        -> String
    {
        guard !audience.isEmpty else {
            throw LogicalError.badRequest("an audience is required for a plugin identity token")
        }
        try await ensureKey()
        try await rotateIfDue()
        let signing = state.withLock { $0.keys[0] }
        let key = try _RSA.Signing.PrivateKey(derRepresentation: signing.privateKeyDER)
        let now = clock()
        let header: JSONValue = ["alg": "RS256", "typ": "JWT", "kid": .string(signing.kid)]
        let claims: JSONValue = [
            "iss": .string(pluginIssuer), "sub": .string("plugin-identity:\(namespace):auth:\(mountAccessor)"),
            "aud": .string(audience), "iat": .int(Int64(now)), "nbf": .int(Int64(now)),
            // Clamped: a token outliving a day is never wanted, and the sum must not overflow for any `ttl`.
            "exp": .int(Int64(now) + min(max(ttl, 1), 86400)), "jti": .string(Hex.uuid()),
        ]
        let input = Base64URL.encode(header.serialized()) + "." + Base64URL.encode(claims.serialized())
        let signature = try key.signature(for: Array(input.utf8), padding: .insecurePKCS1v1_5)
        return input + "." + Base64URL.encode(Array(signature.rawRepresentation))
    }

    /// Starts a new signing key when the current one is older than the rotation period, and drops
    /// retired keys once no token they signed can still be valid.
    public func rotateIfDue() async throws {
        let now = clock()
        guard let current = state.withLock({ $0.keys.first }), now - current.created >= rotationPeriod else { return }
        try await writeLock.withLock {
            var stored = state.withLock { $0 }
            guard let first = stored.keys.first, now - first.created >= rotationPeriod else { return }
            stored.keys.insert(Self.newKey(now: now), at: 0)
            // A key retired at time R (when its successor was created) is kept until R + verificationTTL.
            var kept = [stored.keys[0]]
            for index in 1..<stored.keys.count where now - stored.keys[index - 1].created < verificationTTL {
                kept.append(stored.keys[index])
            }
            stored.keys = kept
            try await storage.putJSON("plugins", stored)
            state.withLock { $0 = stored }
        }
    }
}
