import AzureSimulator
import CofferCore
import CofferFramework
import Crypto
import Foundation
import Testing

/// JWT verification through the mount against the simulator's Entra ID
/// (docs/azure-auth.md § Token verification, § Key and discovery caching).
@Suite struct AzureTokenTests {
    static let spRole: [String: JSONValue] = ["bound_service_principal_ids": .string(Sim.vmPrincipal)]
    static let discovery = "/.well-known/openid-configuration"
    static let keys = "/discovery/v2.0/keys"

    static func base64URL(_ data: Data) -> String { Base64URL.encode(data) }

    static func base64URL(_ text: String) -> String { base64URL(Data(text.utf8)) }

    /// The payload of a valid token with another header: `alg: none` (no signature) or HS256 (HMAC signature).
    static func unsignedVariants(of jwt: String) -> [String] {
        let payload = jwt.split(separator: ".")[1]
        let none = base64URL(#"{"alg":"none","typ":"JWT"}"#) + "." + payload + "."
        let hsHeader = base64URL(#"{"alg":"HS256","typ":"JWT","kid":"k"}"#) + "." + payload
        let mac = HMAC<SHA256>.authenticationCode(for: Data(hsHeader.utf8), using: SymmetricKey(data: Data("key".utf8)))
        return [none, hsHeader + "." + base64URL(Data(mac))]
    }

    @Test func noneAndHMACAreMalformedWithoutAnyNetworkCall() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", Self.spRole)
            let valid = try lab.simulator.managedIdentityToken(vm: "vm-web")
            for jwt in Self.unsignedVariants(of: valid) + ["not-a-jwt", "a.b", "x.!!!.y"] {
                let answer = await lab.login(role: "sp", jwt: jwt)
                #expect(answer.status == 400, "\(jwt)")
                #expect(answer.error.contains("malformed jwt"), "\(answer.error)")
            }
            #expect(lab.simulator.requestLog().isEmpty)
        }
    }

    @Test func tamperedTokensAndUnknownKeysFailTheSignature() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", Self.spRole)
            let valid = try lab.simulator.managedIdentityToken(vm: "vm-web", identity: "uami-web")
            var parts = valid.split(separator: ".").map(String.init)
            let claims = String(decoding: Data(base64Encoded: Self.padded(parts[1]))!, as: UTF8.self)
            parts[1] = Self.base64URL(claims.replacingOccurrences(of: Sim.uamiWebPrincipal, with: Sim.vmPrincipal))
            let tampered = await lab.login(role: "sp", jwt: parts.joined(separator: "."))
            #expect(tampered.errors == ["failed to verify signature: failed to verify id token signature"])
            let forged = try lab.token(kid: "forged-kid")
            #expect(
                await lab.login(role: "sp", jwt: forged).errors == [
                    "failed to verify signature: failed to verify id token signature"
                ])
            #expect(await lab.login(role: "sp", jwt: try lab.token()).status == 200)
        }
    }

    static func padded(_ text: String) -> String {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return base64
    }

    @Test func timesIssuerAndAudienceAreChecked() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", Self.spRole)
            let now = Int64(Date().timeIntervalSince1970)
            let early = await lab.login(role: "sp", jwt: try lab.token { $0["nbf"] = .int(now + 60) })
            #expect(early.status == 400)
            #expect(early.error.hasPrefix("token is not yet valid (Token Not Before: "))
            let expired = await lab.login(role: "sp", jwt: try lab.token { $0["exp"] = .int(now - 1) })
            #expect(expired.error.hasPrefix("oidc: token is expired (Token Expiry: "))
            let noExp = await lab.login(role: "sp", jwt: try lab.token { $0["exp"] = nil })
            #expect(noExp.error.hasPrefix("oidc: token is expired"))
            let issuer = await lab.login(
                role: "sp", jwt: try lab.token { $0["iss"] = "https://sts.windows.net/other-tenant/" })
            #expect(
                issuer.errors
                    == [
                        "oidc: id token issued by a different provider, expected \"https://sts.windows.net/\(Sim.tenant)/\" got \"https://sts.windows.net/other-tenant/\""
                    ])
            let audience = await lab.login(role: "sp", jwt: try lab.token(audience: "https://management.azure.com"))
            #expect(
                audience.errors == [
                    "oidc: expected audience \"\(Sim.audience)\" got [\"https://management.azure.com\"]"
                ])
            let justValid = await lab.login(role: "sp", jwt: try lab.token { $0["nbf"] = .int(now - 1) })
            #expect(justValid.status == 200)
        }
    }

    @Test func v2TokensAreAccepted() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", ["bound_service_principal_ids": .string(Sim.uamiWebPrincipal)])
            let jwt = try lab.simulator.workloadIdentityToken(clientID: Sim.uamiWebClient, audience: Sim.audience)
            let answer = await lab.login(role: "sp", jwt: jwt)
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            #expect(answer.auth["metadata"]?.objectValue?["app_id"] == .string(Sim.uamiWebClient))
            #expect(lab.count("/v2.0/.well-known/openid-configuration") == 1)
            #expect(lab.count(Self.keys) == 1)
        }
    }

    @Test func discoveryAndKeysAreFetchedOncePerConfiguration() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", Self.spRole)
            let jwt = try lab.simulator.managedIdentityToken(vm: "vm-web")
            for _ in 0..<5 { #expect(await lab.login(role: "sp", jwt: jwt).status == 200) }
            #expect(lab.count(Self.discovery) == 1)
            #expect(lab.count(Self.keys) == 1)
            try await lab.configure()  // a config write drops the cache, without calling Azure
            #expect(lab.count(Self.discovery) == 1)
            #expect(await lab.login(role: "sp", jwt: jwt).status == 200)
            #expect(lab.count(Self.discovery) == 2)
        }
    }

    @Test func signingKeyRotationIsPickedUp() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", Self.spRole)
            #expect(
                await lab.login(role: "sp", jwt: try lab.simulator.managedIdentityToken(vm: "vm-web")).status == 200)
            try lab.simulator.rotateSigningKeys()
            let fresh = try lab.simulator.managedIdentityToken(vm: "vm-web")
            let answer = await lab.login(role: "sp", jwt: fresh)
            #expect(answer.status == 200, "\(answer.errors ?? [])")
            #expect(lab.count(Self.keys) == 2)
        }
    }

    @Test func fiftyForgedKeyIDsCauseAtMostTwoKeyFetches() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", Self.spRole)
            let forged = try (0..<50).map { try lab.token(kid: "forged-\($0)") }
            let statuses = await withTaskGroup(of: Int.self) { group in
                for jwt in forged { group.addTask { await lab.login(role: "sp", jwt: jwt).status } }
                return await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 400, count: 50))
            #expect(lab.count(Self.keys) <= 2)
            #expect(lab.count(Self.keys) >= 1)
        }
    }

    @Test func rejectedLoginsCreateNoTokenAndNoEntity() async throws {
        try await withAzureLab { lab in
            try await lab.role("sp", Self.spRole)
            try await lab.role("vm", ["bound_subscription_ids": .string(Sim.subscription)])
            let tokensBefore = await lab.tokenCount
            let other = try lab.simulator.managedIdentityToken(vm: "vm-web", identity: "uami-web")
            let rejections = [
                await lab.login(role: "sp", jwt: other),
                await lab.login(role: "sp", jwt: try lab.token(kid: "nope")),
                await lab.login(role: "vm", jwt: other, vm: "vmss-flex"),
                await lab.login(role: "vm", jwt: try lab.token { $0["exp"] = .int(1) }, vm: "vm-web"),
            ]
            #expect(rejections.allSatisfy { $0.status == 400 }, "\(rejections.map(\.error))")
            #expect(await lab.tokenCount == tokensBefore)
            #expect(await lab.entityCount == 0)
        }
    }
}
