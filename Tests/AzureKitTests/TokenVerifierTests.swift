import AzureSimulator
import CofferJSON
import Foundation
import Testing

@testable import AzureKit

/// The production verifier against the simulator's Entra ID over loopback HTTP.
@Suite struct TokenVerifierTests {
    static let discovery = ".well-known/openid-configuration"
    static let v2Discovery = "/v2.0/.well-known/openid-configuration"
    static let keys = "/discovery/v2.0/keys"

    static func rejection(_ verifier: AzureTokenVerifier, _ jwt: String) async -> AzureError? {
        do {
            _ = try await verifier.verify(jwt)
            return nil
        } catch let error as AzureError {
            return error
        } catch {
            Issue.record("unexpected error type: \(error)")
            return nil
        }
    }

    @Test func acceptsAV1ManagedIdentityToken() async throws {
        try await withSimulator { sim in
            let jwt = try sim.simulator.managedIdentityToken(vm: "vm1")
            let claims = try await sim.verifier().verify(jwt)
            #expect(claims.issuer == "https://sts.windows.net/\(Estate.tenant)/")
            #expect(claims.objectID == Estate.vmPrincipal)
            #expect(claims.tenantID == Estate.tenant)
            #expect(claims.version == "1.0")
            #expect(claims.audiences == [AzureSimulator.armTokenAudience])
            #expect(claims.xmsMirid.hasSuffix("/virtualMachines/vm1"))
            #expect(claims.expiresAt > Date().timeIntervalSince1970)
            #expect(sim.count(Self.discovery) == 1)
            #expect(sim.count(Self.v2Discovery) == 0)
            #expect(sim.count(Self.keys) == 1)
        }
    }

    @Test func acceptsAV2TokenWithOneSharedKeyFetch() async throws {
        try await withSimulator { sim in
            let verifier = sim.verifier(resource: "api://coffer")
            let jwt = try sim.simulator.workloadIdentityToken(clientID: Estate.client(4), audience: "api://coffer")
            let claims = try await verifier.verify(jwt)
            #expect(claims.issuer == "\(sim.base)\(Estate.tenant)/v2.0")
            #expect(claims.version == "2.0")
            #expect(claims.appID == Estate.client(4))
            #expect(claims.objectID == Estate.principal(4))
            _ = try await verifier.verify(jwt)
            let v1 = try sim.token(audience: "api://coffer")
            _ = try await verifier.verify(v1)
            #expect(sim.count(Self.v2Discovery) == 1)
            #expect(sim.count("/\(Estate.tenant)/.well-known/openid-configuration") == 1)
            #expect(sim.count(Self.keys) == 1)
        }
    }

    @Test func rejectsAnotherIssuer() async throws {
        try await withSimulator { sim in
            let jwt = try sim.token { $0["iss"] = .string("https://sts.windows.net/\(Estate.otherTenant)/") }
            let error = await Self.rejection(sim.verifier(), jwt)
            #expect(
                error
                    == .rejected(
                        "oidc: id token issued by a different provider, expected \"https://sts.windows.net/\(Estate.tenant)/\" got \"https://sts.windows.net/\(Estate.otherTenant)/\""
                    ))
            let v2Forgery = try sim.token {
                $0["iss"] = .string("\(sim.base)\(Estate.otherTenant)/v2.0")
                $0["ver"] = "2.0"
            }
            #expect(await Self.rejection(sim.verifier(), v2Forgery)?.description.contains("different provider") == true)
        }
    }

    @Test func rejectsAnotherAudience() async throws {
        try await withSimulator { sim in
            let jwt = try sim.token { $0["aud"] = ["api://a", "api://b"] }
            let error = await Self.rejection(sim.verifier(), jwt)
            #expect(
                error
                    == .rejected(
                        "oidc: expected audience \"https://management.azure.com/\" got [\"api://a\" \"api://b\"]"))
            // Exact match: no trailing-slash leniency.
            let near = try sim.token(audience: "https://management.azure.com")
            #expect(await Self.rejection(sim.verifier(), near)?.description.contains("expected audience") == true)
        }
    }

    @Test func rejectsExpiredTokens() async throws {
        try await withSimulator { sim in
            let expiry = Int64(Date().timeIntervalSince1970) - 5
            let jwt = try sim.token { $0["exp"] = .int(expiry) }
            let error = await Self.rejection(sim.verifier(), jwt)
            #expect(
                error == .rejected("oidc: token is expired (Token Expiry: \(RFC3339.goString(unixSeconds: expiry)))"))
            let noExpiry = try sim.token { $0["exp"] = nil }
            #expect(
                await Self.rejection(sim.verifier(), noExpiry)
                    == .rejected("oidc: token is expired (Token Expiry: 0001-01-01 00:00:00 +0000 UTC)"))
        }
    }

    @Test func rejectsTokensNotYetValidWithZeroLeeway() async throws {
        try await withSimulator { sim in
            let notBefore = Int64(Date().timeIntervalSince1970) + 30
            let jwt = try sim.token { $0["nbf"] = .int(notBefore) }
            let error = await Self.rejection(sim.verifier(), jwt)
            #expect(
                error
                    == .rejected(
                        "token is not yet valid (Token Not Before: \(RFC3339.goString(unixSeconds: notBefore)))"))
            let absent = try sim.token { $0["nbf"] = nil }
            #expect(await Self.rejection(sim.verifier(), absent) == nil)
        }
    }

    /// Times are read before the signature is checked: a forged token's times that no `Int64` holds are refused
    /// like any other, not a crash of the server.
    @Test func refusesTimesBeyondInt64WithoutTrapping() async throws {
        try await withSimulator { sim in
            let verifier = sim.verifier()
            let late = try sim.token { $0["nbf"] = .double(1e300) }
            #expect(
                await Self.rejection(verifier, late)
                    == .rejected("token is not yet valid (Token Not Before: \(RFC3339.goString(unixSeconds: .max)))"))
            let lateInteger = try sim.token { $0["nbf"] = .int(.max) }
            #expect(
                await Self.rejection(verifier, lateInteger)
                    == .rejected("token is not yet valid (Token Not Before: \(RFC3339.goString(unixSeconds: .max)))"))
            let early = try sim.token { $0["exp"] = .double(-1e300) }
            #expect(
                await Self.rejection(verifier, early)
                    == .rejected("oidc: token is expired (Token Expiry: \(RFC3339.goString(unixSeconds: .min)))"))
        }
    }

    @Test func refusesUnsignedHMACAndMalformedTokensWithoutNetwork() async throws {
        try await withSimulator { sim in
            let verifier = sim.verifier()
            let valid = try sim.token()
            let parts = valid.split(separator: ".").map(String.init)
            let none = TokenShapeTests.segment(#"{"alg":"none","typ":"JWT"}"#) + ".\(parts[1])."
            let hmac = TokenShapeTests.segment(#"{"alg":"HS256","typ":"JWT","kid":"x"}"#) + ".\(parts[1]).\(parts[2])"
            for jwt in [none, hmac, "not-a-jwt", "\(parts[0]).!!.\(parts[2])", "\(parts[0]).\(parts[1])"] {
                let error = await Self.rejection(verifier, jwt)
                #expect(
                    error?.description.contains("malformed jwt") == true,
                    "\(jwt.prefix(30)): \(String(describing: error))")
            }
            #expect(sim.simulator.requestLog().isEmpty)
        }
    }

    @Test func rejectsATamperedPayload() async throws {
        try await withSimulator { sim in
            let verifier = sim.verifier()
            let valid = try sim.token()
            _ = try await verifier.verify(valid)
            let parts = valid.split(separator: ".").map(String.init)
            var claims =
                try JSONSerialization.jsonObject(with: Data(Base64URL.decode(parts[1])!))
                as! [String: Any]
            claims["oid"] = Estate.vmPrincipal
            let forged = TokenShapeTests.segment(
                String(decoding: try JSONSerialization.data(withJSONObject: claims), as: UTF8.self))
            let error = await Self.rejection(verifier, "\(parts[0]).\(forged).\(parts[2])")
            #expect(error == .rejected("failed to verify signature: failed to verify id token signature"))
        }
    }

    @Test func unknownKeyIDNeverFallsBackToAnotherKey() async throws {
        try await withSimulator { sim in
            // Signed by the tenant's real active key, but naming a kid the JWKS does not have.
            let jwt = try sim.token(kid: "forged-kid")
            let error = await Self.rejection(sim.verifier(), jwt)
            #expect(error == .rejected("failed to verify signature: failed to verify id token signature"))
        }
    }

    @Test func keyRotationIsPickedUpWithOneRefetch() async throws {
        try await withSimulator { sim in
            let verifier = sim.verifier()
            _ = try await verifier.verify(try sim.token())
            #expect(sim.count(Self.keys) == 1)
            try sim.simulator.rotateSigningKeys()
            let rotated = try sim.token()
            _ = try await verifier.verify(rotated)
            _ = try await verifier.verify(rotated)
            #expect(sim.count(Self.keys) == 2)
        }
    }

    @Test func fiftyForgedKeyIDsCauseAtMostTwoKeyFetches() async throws {
        try await withSimulator { sim in
            let verifier = sim.verifier()
            _ = try await verifier.verify(try sim.token())
            // Half arrive together (they share one refetch), half one after another (the budget is spent).
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<25 {
                    let jwt = try sim.token(kid: "forged-\(index)")
                    group.addTask {
                        let error = await Self.rejection(verifier, jwt)
                        #expect(error?.description.contains("failed to verify signature") == true)
                    }
                }
                try await group.waitForAll()
            }
            for index in 25..<50 {
                let error = await Self.rejection(verifier, try sim.token(kid: "forged-\(index)"))
                #expect(error?.description.contains("failed to verify signature") == true)
            }
            #expect(sim.count(Self.keys) <= 2)
            #expect(sim.count(Self.discovery) == 1)
        }
    }

    @Test func refetchBudgetRenewsAfterTheInterval() async throws {
        try await withSimulator { sim in
            // Wide margins: under a loaded CI machine the first three rejections must still fit in one interval.
            let verifier = sim.verifier(refetchInterval: .seconds(3))
            _ = await Self.rejection(verifier, try sim.token(kid: "forged-1"))
            _ = await Self.rejection(verifier, try sim.token(kid: "forged-2"))
            _ = await Self.rejection(verifier, try sim.token(kid: "forged-2b"))
            #expect(sim.count(Self.keys) == 2)
            try await Task.sleep(for: .milliseconds(3200))
            _ = await Self.rejection(verifier, try sim.token(kid: "forged-3"))
            #expect(sim.count(Self.keys) == 3)
        }
    }

    @Test func concurrentFirstVerificationsShareOneDiscovery() async throws {
        try await withSimulator { sim in
            let verifier = sim.verifier()
            let jwt = try sim.simulator.managedIdentityToken(vm: "vm1")
            sim.simulator.injectFault(pathContains: Self.discovery, delay: .milliseconds(200))
            try await withThrowingTaskGroup(of: AzureTokenClaims.self) { group in
                for _ in 0..<20 { group.addTask { try await verifier.verify(jwt) } }
                for try await claims in group { #expect(claims.objectID == Estate.vmPrincipal) }
            }
            #expect(sim.count(Self.discovery) == 1)
            #expect(sim.count(Self.keys) == 1)
        }
    }

    @Test func discoveryFailureIsUpstreamAndNotCached() async throws {
        try await withSimulator { sim in
            let verifier = sim.verifier()
            let jwt = try sim.token()
            sim.simulator.injectFault(pathContains: Self.discovery, status: 503)
            let error = await Self.rejection(verifier, jwt)
            guard case .upstream(let call, let status, _) = error else {
                Issue.record("expected an upstream error, got \(String(describing: error))")
                return
            }
            #expect(call == "OIDC discovery" && status == 503)
            _ = try await verifier.verify(jwt)
            #expect(sim.count(Self.discovery) == 2)

            let keysDown = sim.verifier()
            sim.simulator.injectFault(pathContains: Self.keys, status: 500)
            guard case .upstream("JWKS", 500, _) = await Self.rejection(keysDown, jwt) else {
                Issue.record("a JWKS 500 was not an upstream JWKS error")
                return
            }
        }
    }

    @Test func failedV2DiscoveryIsReplayedNotRefetched() async throws {
        try await withSimulator { sim in
            let verifier = sim.verifier(resource: "api://coffer", refetchInterval: .milliseconds(300))
            let jwt = try sim.simulator.workloadIdentityToken(clientID: Estate.client(1), audience: "api://coffer")
            sim.simulator.injectFault(pathContains: Self.v2Discovery, status: 503)
            for _ in 0..<5 {
                guard case .upstream("OIDC discovery", 503, _) = await Self.rejection(verifier, jwt) else {
                    Issue.record("a failed v2 discovery was not an upstream 503")
                    return
                }
            }
            #expect(sim.count(Self.v2Discovery) == 1)
            try await Task.sleep(for: .milliseconds(400))
            #expect(try await verifier.verify(jwt).version == "2.0")
            #expect(sim.count(Self.v2Discovery) == 2)
        }
    }

    @Test func unreachableEntraIsUpstreamWithoutStatus() async throws {
        let client = AsyncHTTPClientHolder()
        defer { client.shutdown() }
        let cloud = try AzureCloud(
            name: "closed", activeDirectoryEndpoint: "http://127.0.0.1:1/",
            resourceManagerEndpoint: "http://127.0.0.1:1",
            tokenAudience: "https://management.azure.com/", microsoftGraphEndpoint: "")
        let http = AzureHTTP(
            client: client.client, version: "test", logger: client.http.logger, timeout: .milliseconds(300))
        let verifier = AzureTokenVerifier(cloud: cloud, tenantID: Estate.tenant, resource: "r", http: http)
        let jwt = TokenShapeTests.token(
            header: #"{"alg":"RS256","kid":"k"}"#, payload: #"{"iss":"i","aud":"r","exp":9999999999}"#)
        guard case .upstream("OIDC discovery", nil, _) = await Self.rejection(verifier, jwt) else {
            Issue.record("a refused connection was not an upstream error")
            return
        }
    }
}
