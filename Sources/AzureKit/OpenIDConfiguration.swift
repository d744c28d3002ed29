import Foundation
import JWTKit
import NIOHTTP1

/// The two fields of a tenant's OpenID discovery document the verifier uses.
struct OpenIDConfiguration: Sendable, Equatable {
    var issuer: String
    var jwksURI: String

    /// GETs `url`; any failure is ``AzureError/upstream(call:status:detail:)`` with call `OIDC discovery`.
    static func fetch(_ url: String, http: AzureHTTP) async throws(AzureError) -> OpenIDConfiguration {
        let call = "OIDC discovery"
        let response = try await http.send(
            .GET, url, headers: [("Accept", "application/json")], call: call, service: .discovery)
        guard response.status == 200 else {
            throw AzureError.upstream(call: call, status: response.status, detail: AzureErrorBody.summary(response))
        }
        struct Document: Decodable {
            var issuer: String?
            var jwks_uri: String?
        }
        guard let document = try? JSONDecoder().decode(Document.self, from: response.bodyData),
            let issuer = document.issuer, !issuer.isEmpty, let jwksURI = document.jwks_uri, !jwksURI.isEmpty
        else {
            throw AzureError.upstream(call: call, status: 200, detail: "the document has no issuer or jwks_uri")
        }
        do {
            try AzureURL.requireSecure(jwksURI, what: "jwks_uri")
        } catch {
            throw AzureError.upstream(call: call, status: 200, detail: error.description)
        }
        return OpenIDConfiguration(issuer: issuer, jwksURI: jwksURI)
    }
}

/// A tenant's RS256 verification keys by `kid`, built with jwt-kit from a JWKS document.
///
/// Keys are resolved once per fetch into jwt-kit algorithms so a verification does no actor hop;
/// the collection's default key is cleared so an unknown `kid` can never fall back to another key.
struct SigningKeys: Sendable {
    let algorithms: [String: any JWTAlgorithm]

    /// GETs `url`; any failure is ``AzureError/upstream(call:status:detail:)`` with call `JWKS`.
    static func fetch(_ url: String, http: AzureHTTP) async throws(AzureError) -> SigningKeys {
        let call = "JWKS"
        let response = try await http.send(
            .GET, url, headers: [("Accept", "application/json")], call: call, service: .jwks)
        guard response.status == 200 else {
            throw AzureError.upstream(call: call, status: response.status, detail: AzureErrorBody.summary(response))
        }
        guard let set = try? JSONDecoder().decode(KeySet.self, from: response.bodyData) else {
            throw AzureError.upstream(call: call, status: 200, detail: "the key set is not valid JSON")
        }
        let collection = JWTKeyCollection()
        var kids: [String] = []
        for entry in set.keys {
            guard let jwk = entry.jwk, jwk.keyType == .rsa, jwk.algorithm == nil || jwk.algorithm == .rs256,
                entry.use == nil || entry.use == "sig", jwk.privateExponent == nil,
                let kid = jwk.keyIdentifier?.string, !kid.isEmpty,
                (try? await collection.add(jwk: jwk, isDefault: false)) != nil
            else { continue }
            kids.append(kid)
        }
        _ = await collection.clearDefault()
        var algorithms: [String: any JWTAlgorithm] = [:]
        for kid in kids {
            if let algorithm = try? await collection.getKey(for: JWKIdentifier(string: kid), alg: "RS256") {
                algorithms[kid] = algorithm
            }
        }
        guard !algorithms.isEmpty else {
            throw AzureError.upstream(call: call, status: 200, detail: "the key set has no usable RS256 keys")
        }
        return SigningKeys(algorithms: algorithms)
    }

    private struct KeySet: Decodable {
        var keys: [Entry]
    }

    /// One `keys` element; a key jwt-kit cannot read (another `kty`, say) is skipped, not fatal.
    private struct Entry: Decodable {
        var jwk: JWK?
        var use: String?

        private enum CodingKeys: String, CodingKey { case use }

        init(from decoder: any Decoder) throws {
            jwk = try? JWK(from: decoder)
            use = try? decoder.container(keyedBy: CodingKeys.self).decodeIfPresent(String.self, forKey: .use)
        }
    }
}

/// Short, single-line summaries of Azure error bodies for messages and logs.
enum AzureErrorBody {
    /// `<code>: <message>` from ARM/Graph (`{"error":{"code","message"}}`) or Entra
    /// (`{"error","error_description"}`) bodies, else the start of the body.
    static func summary(_ response: AzureHTTP.Response, limit: Int = 300) -> String {
        struct Nested: Decodable {
            struct Inner: Decodable {
                var code: String?
                var message: String?
            }
            var error: Inner
        }
        struct Flat: Decodable {
            var error: String
            var error_description: String?
        }
        let data = response.bodyData
        var text: String
        if let nested = try? JSONDecoder().decode(Nested.self, from: data) {
            text = [nested.error.code, nested.error.message].compactMap { $0 }.joined(separator: ": ")
        } else if let flat = try? JSONDecoder().decode(Flat.self, from: data) {
            text = flat.error + (flat.error_description.map { ": " + $0 } ?? "")
        } else {
            text = response.bodyText
        }
        text = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        if text.count > limit { text = String(text.prefix(limit)) + "…" }
        return text
    }
}
