import Foundation
import Testing

@testable import AzureSimulator

@Suite struct EntraTests {
    @Test func v1AndV2DiscoveryDocuments() async throws {
        try await Example.withSimulator { sim in
            let v1 = try await HTTP.get("\(sim.baseURL)\(Example.tenant)/.well-known/openid-configuration")
            #expect(v1.status == 200)
            #expect(v1.json["issuer"] == .string("https://sts.windows.net/\(Example.tenant)/"))
            #expect(v1.json["jwks_uri"] == .string("\(sim.baseURL)\(Example.tenant)/discovery/v2.0/keys"))
            #expect(v1.json["id_token_signing_alg_values_supported"] == ["RS256"])
            let v2 = try await HTTP.get("\(sim.baseURL)\(Example.tenant)/v2.0/.well-known/openid-configuration")
            #expect(v2.json["issuer"] == .string("\(sim.baseURL)\(Example.tenant)/v2.0"))
            #expect(v2.json["jwks_uri"] == v1.json["jwks_uri"])
            #expect(v2.json["token_endpoint"] == .string("\(sim.baseURL)\(Example.tenant)/oauth2/v2.0/token"))
            // The tenant's domain name works in place of its id.
            let byDomain = try await HTTP.get("\(sim.baseURL)contoso.onmicrosoft.com/.well-known/openid-configuration")
            #expect(byDomain.json["issuer"] == v1.json["issuer"])
        }
    }

    @Test func unknownTenantAnswersEntraError() async throws {
        try await Example.withSimulator { sim in
            let answer = try await HTTP.get(
                "\(sim.baseURL)00000000-0000-0000-0000-000000000000/.well-known/openid-configuration")
            #expect(answer.status == 400)
            #expect(answer.json["error"] == "invalid_tenant")
            #expect(answer.json["error_codes"] == [90002])
            #expect(answer.json["error_description"]?.stringValue?.hasPrefix("AADSTS90002: Tenant") == true)
            for key in ["timestamp", "trace_id", "correlation_id"] { #expect(answer.json[key]?.stringValue != nil) }
        }
    }

    @Test func jwksPublishesThreeRSAKeys() async throws {
        try await Example.withSimulator { sim in
            let jwks = try await TokenCheck.publishedJWKS(sim)
            let keys = try #require(jwks["keys"]?.arrayValue)
            #expect(keys.count == 3)
            #expect(Set(keys.compactMap { $0["kid"]?.stringValue }).count == 3)
            for key in keys {
                #expect(key["kty"] == "RSA")
                #expect(key["use"] == "sig")
                #expect(key["alg"] == "RS256")
                #expect(key["e"] == "AQAB")
                #expect(key["x5t"] == key["kid"])
                #expect((key["n"]?.stringValue.flatMap { TokenCheck.base64URL(Substring($0)) }?.count ?? 0) == 256)
            }
            #expect(try await HTTP.get("\(sim.baseURL)common/discovery/keys").json == jwks)
        }
    }

    @Test func keyRotationSignsWithANewKeyAndRetiresTheOldest() async throws {
        try await Example.withSimulator { sim in
            let before = try #require(sim.jwks()["keys"]?.arrayValue?.compactMap { $0["kid"]?.stringValue })
            let oldToken = try sim.managedIdentityToken(vm: "vm-web")
            try sim.rotateSigningKeys()
            let jwks = try await TokenCheck.publishedJWKS(sim)
            let after = try #require(jwks["keys"]?.arrayValue?.compactMap { $0["kid"]?.stringValue })
            #expect(after.count == 3)
            #expect(!before.contains(after[0]))
            #expect(Array(after.dropFirst()) == Array(before.dropLast()))
            let newToken = try sim.managedIdentityToken(vm: "vm-web")
            #expect(try TokenCheck.verify(newToken, jwks: jwks).header["kid"] == .string(after[0]))
            // The old token was signed by a key that is still published (the previous first key).
            #expect(throws: Never.self) { try TokenCheck.verify(oldToken, jwks: jwks) }
            try sim.rotateSigningKeys()
            try sim.rotateSigningKeys()
            #expect(throws: TokenCheck.Failure.self) { try TokenCheck.verify(oldToken, jwks: sim.jwks()) }
        }
    }

    private func tokenURL(_ sim: AzureSimulator) -> String { "\(sim.baseURL)\(Example.tenant)/oauth2/v2.0/token" }

    @Test func clientSecretGrantIssuesAnAppOnlyToken() async throws {
        try await Example.withSimulator { sim in
            let answer = try await HTTP.postForm(
                tokenURL(sim),
                [
                    ("grant_type", "client_credentials"), ("client_id", Example.appID),
                    ("client_secret", Example.secret), ("scope", "https://management.azure.com//.default"),
                ])
            #expect(answer.status == 200)
            #expect(answer.json["token_type"] == "Bearer")
            #expect(answer.json["expires_in"] == 3599)
            let jwt = try #require(answer.json["access_token"]?.stringValue)
            let claims = try TokenCheck.verify(jwt, jwks: try await TokenCheck.publishedJWKS(sim)).claims
            #expect(claims["aud"] == "https://management.azure.com/")
            #expect(claims["appid"] == .string(Example.appID))
            #expect(claims["oid"] == .string(Example.appPrincipal))
            #expect(claims["sub"] == .string(Example.appPrincipal))
            #expect(claims["appidacr"] == "1")
            #expect(claims["iss"] == .string("https://sts.windows.net/\(Example.tenant)/"))
            #expect(claims["ver"] == "1.0")
        }
    }

    @Test func v1TokenEndpointTakesResourceAndAnswersStrings() async throws {
        try await Example.withSimulator { sim in
            let answer = try await HTTP.postForm(
                "\(sim.baseURL)\(Example.tenant)/oauth2/token",
                [
                    ("grant_type", "client_credentials"), ("client_id", Example.appID),
                    ("client_secret", Example.secret), ("resource", "https://management.core.windows.net/"),
                ])
            #expect(answer.status == 200)
            #expect(answer.json["resource"] == "https://management.core.windows.net/")
            #expect(answer.json["expires_on"]?.stringValue.flatMap { Int($0) } != nil)
            let jwt = try #require(answer.json["access_token"]?.stringValue)
            #expect(
                try TokenCheck.verify(jwt, jwks: sim.jwks()).claims["aud"] == "https://management.core.windows.net/")
            let unknownResource = try await HTTP.postForm(
                "\(sim.baseURL)\(Example.tenant)/oauth2/token",
                [
                    ("grant_type", "client_credentials"), ("client_id", Example.appID),
                    ("client_secret", Example.secret), ("resource", "https://example.com/"),
                ])
            #expect(unknownResource.json["error_codes"] == [500_011])
        }
    }

    @Test func wrongSecretIsInvalidClient() async throws {
        try await Example.withSimulator { sim in
            let answer = try await HTTP.postForm(
                tokenURL(sim),
                [
                    ("grant_type", "client_credentials"), ("client_id", Example.appID), ("client_secret", "nope"),
                    ("scope", "https://management.azure.com/.default"),
                ])
            #expect(answer.status == 401)
            #expect(answer.json["error"] == "invalid_client")
            #expect(answer.json["error_codes"] == [7_000_215])
            #expect(
                answer.json["error_description"]?.stringValue?.hasPrefix("AADSTS7000215: Invalid client secret") == true
            )
        }
    }

    @Test func requestErrorsUseEntraCodes() async throws {
        try await Example.withSimulator { sim in
            let unknownClient = try await HTTP.postForm(
                tokenURL(sim),
                [
                    ("grant_type", "client_credentials"), ("client_id", UUID().uuidString), ("client_secret", "x"),
                    ("scope", "https://management.azure.com/.default"),
                ])
            #expect(unknownClient.status == 400)
            #expect(unknownClient.json["error"] == "unauthorized_client")
            #expect(unknownClient.json["error_codes"] == [700_016])
            let noScopeDefault = try await HTTP.postForm(
                tokenURL(sim),
                [
                    ("grant_type", "client_credentials"), ("client_id", Example.appID),
                    ("client_secret", Example.secret), ("scope", "https://management.azure.com/"),
                ])
            #expect(noScopeDefault.json["error"] == "invalid_scope")
            let noCredential = try await HTTP.postForm(
                tokenURL(sim),
                [
                    ("grant_type", "client_credentials"), ("client_id", Example.appID),
                    ("scope", "https://management.azure.com/.default"),
                ])
            #expect(noCredential.status == 401)
            #expect(noCredential.json["error_codes"] == [7_000_216])
            let badGrant = try await HTTP.postForm(tokenURL(sim), [("grant_type", "password")])
            #expect(badGrant.json["error"] == "unsupported_grant_type")
        }
    }

    @Test func clientAssertionFromAFederatedIssuerIsVerified() async throws {
        // The federated issuer is a second simulator: its v2 issuer and JWKS are fetched over loopback.
        let issuerSimulator = try await AzureSimulator.make(fixture: try Example.fixture())
        try await issuerSimulator.start()
        defer { Task { await issuerSimulator.stop() } }
        let issuer = "\(issuerSimulator.baseURL)\(Example.tenant)/v2.0"
        try await Example.withSimulator(edit: { fixture in
            fixture.tenants[0].applications[0].federatedCredentials = [
                .init(issuer: issuer, subject: "system:serviceaccount:default:coffer")
            ]
        }) { sim in
            func assertion(subject: String, audience: String, kid: String? = nil) throws -> String {
                var claims = issuerSimulator.standardClaims(tenant: Example.tenant, audience: audience, version: "2.0")
                claims["sub"] = .string(subject)
                return try issuerSimulator.issueToken(claims: claims, kid: kid)
            }
            func exchange(_ jwt: String) async throws -> HTTPAnswer {
                try await HTTP.postForm(
                    tokenURL(sim),
                    [
                        ("grant_type", "client_credentials"), ("client_id", Example.appID),
                        ("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"),
                        ("client_assertion", jwt), ("scope", "https://management.azure.com/.default"),
                    ])
            }
            let good = try await exchange(
                assertion(subject: "system:serviceaccount:default:coffer", audience: "api://AzureADTokenExchange"))
            #expect(good.status == 200)
            let claims = try TokenCheck.decode(try #require(good.json["access_token"]?.stringValue)).claims
            #expect(claims["appidacr"] == "2")
            #expect(claims["appid"] == .string(Example.appID))
            let wrongSubject = try await exchange(
                assertion(subject: "system:serviceaccount:other:x", audience: "api://AzureADTokenExchange"))
            #expect(wrongSubject.json["error_codes"] == [700_213])
            let wrongAudience = try await exchange(
                assertion(subject: "system:serviceaccount:default:coffer", audience: "api://other"))
            #expect(wrongAudience.json["error_codes"] == [700_212])
            let forged = try await exchange(
                try sim.issueToken(
                    claims: [
                        "iss": .string(issuer), "sub": "system:serviceaccount:default:coffer",
                        "aud": "api://AzureADTokenExchange", "exp": .int(Int64(Date().timeIntervalSince1970) + 600),
                    ]))
            #expect(forged.json["error"] == "invalid_client")
            #expect(forged.json["error_codes"] == [700_027])
        }
    }
}
