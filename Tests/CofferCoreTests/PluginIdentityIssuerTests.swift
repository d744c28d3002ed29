import CofferCore
import CofferFramework
import CofferStorage
import CofferTesting
import Crypto
import Foundation
import Synchronization
import Testing
import _CryptoExtras

@Suite struct PluginIdentityIssuerTests {
    func decode(_ part: Substring) throws -> [UInt8] {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        return Array(try #require(Data(base64Encoded: text)))
    }

    /// Verifies an RS256 JWT against a JWKS document with swift-crypto, returning its claims.
    func verify(_ jwt: String, jwks: JSONValue) throws -> [String: JSONValue] {
        let parts = jwt.split(separator: ".")
        try #require(parts.count == 3)
        let header = try #require(try JSONParser.parse(try decode(parts[0])).objectValue)
        #expect(header["alg"] == "RS256")
        let kid = try #require(header["kid"]?.stringValue)
        let key = try #require(
            jwks.objectValue?["keys"]?.arrayValue?.first { $0.objectValue?["kid"]?.stringValue == kid }?.objectValue)
        let publicKey = try _RSA.Signing.PublicKey(
            n: try decode(Substring(try #require(key["n"]?.stringValue))),
            e: try decode(Substring(try #require(key["e"]?.stringValue))))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try decode(parts[2]))
        let input = Array("\(parts[0]).\(parts[1])".utf8)
        #expect(publicKey.isValidSignature(signature, for: input, padding: .insecurePKCS1v1_5))
        return try #require(try JSONParser.parse(try decode(parts[1])).objectValue)
    }

    @Test func discoveryAndKeysAreServedUnauthenticatedAndTokensVerify() async throws {
        let harness = try await CoreHarness.make()
        #expect(
            await harness.request(.update, "identity/oidc/config", ["issuer": "https://coffer.example:8200"]).status
                == 204)
        let discovery = await harness.core.handle(
            CoreRequest(operation: .read, path: "identity/oidc/plugins/.well-known/openid-configuration"))
        #expect(discovery.status == 200)
        guard case .raw(let body) = discovery.body else {
            Issue.record("discovery must be a plain JSON document")
            return
        }
        let document = try #require(try JSONParser.parse(body).objectValue)
        #expect(document["issuer"] == "https://coffer.example:8200/v1/identity/oidc/plugins")
        #expect(document["jwks_uri"] == "https://coffer.example:8200/v1/identity/oidc/plugins/.well-known/keys")
        let keysResponse = await harness.core.handle(
            CoreRequest(operation: .read, path: "identity/oidc/plugins/.well-known/keys"))
        guard case .raw(let keysBody) = keysResponse.body else {
            Issue.record("keys must be a plain JSON document")
            return
        }
        let jwks = try JSONParser.parse(keysBody)

        let issuer = try await PluginIdentityIssuer.load(
            storage: Barrier.unsealedInMemory(), defaultIssuer: "http://127.0.0.1:8200")
        let jwt = try await issuer.token(
            mountAccessor: "auth_azure_12345678", audience: "api://AzureADTokenExchange", ttl: 3600)
        let claims = try verify(jwt, jwks: try await issuer.jwks())
        #expect(claims["iss"] == "http://127.0.0.1:8200/v1/identity/oidc/plugins")
        #expect(claims["sub"] == "plugin-identity:root:auth:auth_azure_12345678")
        #expect(claims["aud"] == "api://AzureADTokenExchange")
        if case .int(let exp)? = claims["exp"], case .int(let iat)? = claims["iat"] {
            #expect(exp - iat == 3600)
        } else {
            Issue.record("exp/iat missing")
        }
        // A key from another issuer instance does not verify it.
        #expect((jwks.objectValue?["keys"]?.arrayValue?.count ?? 0) == 1)
    }

    @Test func rotatedKeysStayPublishedUntilTheirTokensExpire() async throws {
        let now = Mutex<Double>(1_000_000)
        let issuer = try await PluginIdentityIssuer.load(
            storage: Barrier.unsealedInMemory(), defaultIssuer: "http://127.0.0.1:8200", rotationPeriod: 100,
            verificationTTL: 150, clock: { now.withLock { $0 } })
        let first = try await issuer.token(mountAccessor: "a", audience: "x", ttl: 60)
        now.withLock { $0 += 120 }
        let second = try await issuer.token(mountAccessor: "a", audience: "x", ttl: 60)
        let jwks = try await issuer.jwks()
        #expect(jwks.objectValue?["keys"]?.arrayValue?.count == 2)
        _ = try verify(first, jwks: jwks)
        _ = try verify(second, jwks: jwks)
        #expect(first.split(separator: ".")[0] != second.split(separator: ".")[0])
        now.withLock { $0 += 300 }
        _ = try await issuer.token(mountAccessor: "a", audience: "x", ttl: 60)
        #expect(try await issuer.jwks().objectValue?["keys"]?.arrayValue?.count == 2)
    }
}

extension Barrier {
    static func unsealedInMemory() async throws -> Barrier {
        let barrier = Barrier(physical: MemoryPhysical())
        try await barrier.initialize(sealKey: SymmetricKey(size: .bits256))
        return barrier
    }
}
