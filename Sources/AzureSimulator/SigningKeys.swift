import CofferJSON
import Crypto
import Foundation
import _CryptoExtras

/// The tenant-wide RS256 signing keys Entra ID publishes in its JWKS. The first key signs; rotation
/// generates a new signing key and retires the oldest, as Entra ID's rollover does.
///
/// ```swift
/// var keys = try SigningKeySet(count: 3)
/// let jwt = try keys.sign(claims: ["aud": "x"])
/// keys.jwks()                 // {"keys":[{"kty":"RSA","use":"sig","kid":…,"x5t":…,"n":…,"e":"AQAB","alg":"RS256"}, …]}
/// keys.rotate(to: try SigningKeySet.generate())
/// ```
struct SigningKeySet: Sendable {
    struct Key: Sendable {
        var kid: String
        var privateKey: _RSA.Signing.PrivateKey
        var publicKey: _RSA.Signing.PublicKey
        var jwk: JSONValue
    }

    private(set) var keys: [Key]

    init(count: Int) throws {
        keys = try (0..<max(1, count)).map { _ in try Self.generate() }
    }

    /// Key generation costs tens of milliseconds, so it happens only at start and on rotation.
    static func generate() throws -> Key {
        let privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let publicKey = privateKey.publicKey
        let primitives = try publicKey.getKeyPrimitives()
        // Entra ID's kid is the certificate's SHA-1 thumbprint (= x5t); there is no certificate here, so
        // the thumbprint is taken over the public key's DER form: just as stable and unique.
        let thumbprint = Base64URL.encode(Data(Insecure.SHA1.hash(data: publicKey.derRepresentation)))
        let jwk: JSONValue = [
            "kty": "RSA", "use": "sig", "kid": .string(thumbprint), "x5t": .string(thumbprint),
            "n": .string(Base64URL.encode(primitives.modulus)),
            "e": .string(Base64URL.encode(primitives.publicExponent)),
            "alg": "RS256",
        ]
        return Key(kid: thumbprint, privateKey: privateKey, publicKey: publicKey, jwk: jwk)
    }

    /// Makes `fresh` (from ``generate()``, made outside any lock) the signing key and retires the oldest.
    mutating func rotate(to fresh: Key) {
        keys.insert(fresh, at: 0)
        keys.removeLast()
    }

    func jwks() -> JSONValue { .object(["keys": .array(keys.map(\.jwk))]) }

    /// Signs with `keys[index]`; `kid` overrides the header's `kid`/`x5t` (to test unknown-kid handling).
    func sign(claims: [String: JSONValue], index: Int = 0, kid: String? = nil) throws -> String {
        guard keys.indices.contains(index) else {
            throw SimulatorError.invalidArgument("signing key index \(index) out of range 0..<\(keys.count)")
        }
        let key = keys[index]
        let headerKid = kid ?? key.kid
        let header: JSONValue = [
            "typ": "JWT", "alg": "RS256", "x5t": .string(headerKid), "kid": .string(headerKid),
        ]
        return try JWT.sign(header: header, claims: .object(claims), with: key.privateKey)
    }

    /// The claims of a JWT signed by one of the current keys, or nil.
    func verify(_ token: String) -> [String: JSONValue]? {
        guard let parsed = try? JWT.parse(token), parsed.header["alg"]?.stringValue == "RS256" else { return nil }
        let candidates = keys.filter { $0.kid == parsed.header["kid"]?.stringValue }
        guard let key = candidates.first, JWT.isValid(parsed, key: key.publicKey) else { return nil }
        return parsed.claims
    }
}

/// Compact JWS (RS256) encoding, parsing and verification.
enum JWT {
    struct Parsed {
        var header: JSONValue
        var claims: [String: JSONValue]
        var signingInput: Data
        var signature: Data
    }

    static func sign(header: JSONValue, claims: JSONValue, with key: _RSA.Signing.PrivateKey) throws -> String {
        let input =
            Base64URL.encode(header.serialized()) + "." + Base64URL.encode(claims.serialized())
        let signature = try key.signature(for: SHA256.hash(data: Data(input.utf8)), padding: .insecurePKCS1v1_5)
        return input + "." + Base64URL.encode(signature.rawRepresentation)
    }

    static func parse(_ token: String) throws -> Parsed {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(String(parts[0])),
            let claimData = Base64URL.decode(String(parts[1])), let signature = Base64URL.decode(String(parts[2]))
        else { throw SimulatorError.invalidArgument("malformed JWT") }
        let header = try JSONParser.parse(headerData)
        guard let claims = try JSONParser.parse(claimData).objectValue else {
            throw SimulatorError.invalidArgument("JWT payload is not an object")
        }
        return Parsed(
            header: header, claims: claims, signingInput: Data("\(parts[0]).\(parts[1])".utf8),
            signature: Data(signature))
    }

    static func isValid(_ parsed: Parsed, key: _RSA.Signing.PublicKey) -> Bool {
        key.isValidSignature(
            _RSA.Signing.RSASignature(rawRepresentation: parsed.signature), for: SHA256.hash(data: parsed.signingInput),
            padding: .insecurePKCS1v1_5)
    }

    /// A public key from a JWK's `n` and `e`.
    static func publicKey(jwk: JSONValue) -> _RSA.Signing.PublicKey? {
        guard jwk["kty"]?.stringValue == "RSA", let n = jwk["n"]?.stringValue.flatMap(Base64URL.decode),
            let e = jwk["e"]?.stringValue.flatMap(Base64URL.decode)
        else { return nil }
        return try? _RSA.Signing.PublicKey(n: n, e: e)
    }
}
