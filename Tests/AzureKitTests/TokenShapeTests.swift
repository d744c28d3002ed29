import CofferJSON
import Foundation
import Testing

@testable import AzureKit

/// Token checks that need no keys or network: shape, algorithm, claim types, Go-style times.
@Suite struct TokenShapeTests {
    /// base64url as JWS uses it: padding optional, the standard alphabet's `+` and `/` refused.
    @Test func base64URLSegmentsDecodeStrictly() {
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.decode("-_8=") == [0xFB, 0xFF])
        #expect(Base64URL.decode("aGk") == Array("hi".utf8))
        #expect(Base64URL.decode("") == [])
        for bad in ["+/8", "aG=k", "a", "aGk*", "aGk\n"] {
            #expect(Base64URL.decode(bad) == nil, "\(bad)")
        }
    }

    static func segment(_ json: String) -> String { Base64URL.encode(Array(json.utf8)) }

    static func token(header: String, payload: String, signature: String = "c2ln") -> String {
        "\(segment(header)).\(segment(payload)).\(signature)"
    }

    static func rejection(_ jwt: String) -> String? {
        do {
            _ = try CompactJWT(parsing: jwt)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func refusesNonRS256Algorithms() {
        let payload = #"{"aud":"r"}"#
        let none = Self.rejection(Self.token(header: #"{"alg":"none"}"#, payload: payload, signature: ""))
        #expect(none == #"oidc: malformed jwt: unexpected signature algorithm "none"; expected ["RS256"]"#)
        let hmac = Self.rejection(Self.token(header: #"{"alg":"HS256","kid":"k"}"#, payload: payload))
        #expect(hmac?.contains("malformed jwt") == true && hmac?.contains("HS256") == true)
        #expect(
            Self.rejection(Self.token(header: #"{"alg":"RS384"}"#, payload: payload))?.contains("malformed jwt") == true
        )
        #expect(
            Self.rejection(Self.token(header: #"{"kid":"k"}"#, payload: payload))?.contains("malformed jwt") == true)
    }

    @Test func refusesMalformedShapes() {
        #expect(Self.rejection("a.b") == "oidc: malformed jwt: oidc: malformed jwt, expected 3 parts got 2")
        #expect(Self.rejection("a.b.c.d")?.contains("expected 3 parts got 4") == true)
        #expect(
            Self.rejection("\(Self.segment(#"{"alg":"RS256"}"#)).%%%.c2ln")?.contains("malformed jwt payload") == true)
        #expect(Self.rejection("eyJ.\(Self.segment("{}")).c2ln")?.contains("malformed jwt") == true)
        #expect(
            Self.rejection(Self.token(header: #"{"alg":"RS256"}"#, payload: "{}", signature: ""))?.contains(
                "not signed") == true)
        #expect(Self.rejection(Self.token(header: #"{"alg":"RS256","kid":"k"}"#, payload: "{}")) == nil)
    }

    @Test func claimsAcceptStringOrArrayAudienceAndFloatTimes() throws {
        let single = try AzureTokenClaims(
            payload: Data(#"{"aud":"api://x","exp":1700000000.9,"nbf":5,"appid":"a","azp":"b"}"#.utf8))
        #expect(single.audiences == ["api://x"])
        #expect(single.expiresAt == 1_700_000_000)
        #expect(single.notBefore == 5)
        #expect(single.appID == "a")
        let many = try AzureTokenClaims(
            payload: Data(
                #"{"aud":["a","b"],"exp":1,"iss":"i","sub":"s","oid":"o","azp":"z","tid":"t","ver":"2.0","groups":["g1","g2"],"xms_mirid":"m","xms_az_rid":"r","nbf":null}"#
                    .utf8))
        #expect(
            many
                == AzureTokenClaims(
                    issuer: "i", audiences: ["a", "b"], subject: "s", objectID: "o", appID: "z", tenantID: "t",
                    groups: ["g1", "g2"],
                    xmsMirid: "m", xmsAzRid: "r", notBefore: nil, expiresAt: 1, version: "2.0"))
    }

    @Test func claimsOfTheWrongTypeAreRefused() {
        for payload in [#"{"exp":"soon"}"#, #"{"aud":5}"#, #"{"groups":"g"}"#, #"{"oid":1}"#, "[1]", "not json"] {
            #expect(throws: AzureError.self) { try AzureTokenClaims(payload: Data(payload.utf8)) }
        }
        do {
            _ = try AzureTokenClaims(payload: Data(#"{"exp":true}"#.utf8))
            Issue.record("a boolean exp was accepted")
        } catch {
            #expect(error.description.hasPrefix("oidc: failed to unmarshal claims: "))
        }
    }

    @Test func missingExpiryIsGoZeroTime() throws {
        let claims = try AzureTokenClaims(payload: Data("{}".utf8))
        #expect(RFC3339.goString(unixSeconds: Int64(claims.expiresAt)) == "0001-01-01 00:00:00 +0000 UTC")
    }

    @Test func goTimeFormat() {
        #expect(RFC3339.goString(unixSeconds: 0) == "1970-01-01 00:00:00 +0000 UTC")
        #expect(RFC3339.goString(unixSeconds: 1_700_000_000) == "2023-11-14 22:13:20 +0000 UTC")
        #expect(RFC3339.goString(unixSeconds: 951_782_400) == "2000-02-29 00:00:00 +0000 UTC")
        #expect(RFC3339.goString(unixSeconds: -1) == "1969-12-31 23:59:59 +0000 UTC")
    }
}
