import Foundation
import Testing

@testable import AzureSimulator

/// IMDS, the App Service endpoint, and the claims Azure puts in each kind of managed-identity token.
@Suite struct ManagedIdentityTests {
    static let imdsToken = "metadata/identity/oauth2/token"

    private func imds(_ sim: AzureSimulator, _ query: String, metadata: Bool = true) async throws -> HTTPAnswer {
        try await HTTP.get("\(sim.baseURL)\(Self.imdsToken)?\(query)", headers: metadata ? [("Metadata", "true")] : [])
    }

    @Test func imdsRequiresMetadataHeaderAndKnownAPIVersion() async throws {
        try await Example.withSimulator { sim in
            let noHeader = try await imds(
                sim, "api-version=2018-02-01&resource=https://management.azure.com/", metadata: false)
            #expect(noHeader.status == 400)
            #expect(noHeader.json["error"] == "invalid_request")
            #expect(noHeader.json["error_description"] == "Required metadata header not specified")
            let badVersion = try await imds(sim, "api-version=2017-01-01&resource=https://management.azure.com/")
            #expect(badVersion.status == 400)
            let noVersion = try await imds(sim, "resource=https://management.azure.com/")
            #expect(noVersion.status == 400)
            let noResource = try await imds(sim, "api-version=2021-05-01")
            #expect(noResource.json["error_description"] == "Required audience parameter not specified")
            for version in ["2018-02-01", "2021-05-01"] {
                #expect(
                    try await imds(sim, "api-version=\(version)&resource=https://management.azure.com/").status == 200)
            }
        }
    }

    @Test func imdsSystemIdentityTokenOfAVM() async throws {
        try await Example.withSimulator { sim in
            let answer = try await imds(sim, "api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F")
            #expect(answer.status == 200)
            // IMDS answers every number as a string.
            for key in ["expires_in", "expires_on", "ext_expires_in", "not_before"] {
                #expect(answer.json[key]?.stringValue.flatMap { Int($0) } != nil)
            }
            #expect(answer.json["resource"] == "https://management.azure.com/")
            #expect(answer.json["token_type"] == "Bearer")
            #expect(answer.json["client_id"] == .string(Example.vmClient))
            let jwt = try #require(answer.json["access_token"]?.stringValue)
            let token = try TokenCheck.verify(jwt, jwks: try await TokenCheck.publishedJWKS(sim))
            #expect(token.header["typ"] == "JWT")
            let claims = token.claims
            #expect(claims["aud"] == "https://management.azure.com/")
            #expect(claims["iss"] == .string("https://sts.windows.net/\(Example.tenant)/"))
            #expect(claims["idp"] == claims["iss"])
            #expect(claims["oid"] == .string(Example.vmPrincipal))
            #expect(claims["sub"] == .string(Example.vmPrincipal))
            #expect(claims["appid"] == .string(Example.vmClient))
            #expect(claims["appidacr"] == "2")
            #expect(claims["tid"] == .string(Example.tenant))
            #expect(claims["ver"] == "1.0")
            #expect(claims["groups"] == [.string(Example.group)])
            #expect(claims["xms_mirid"] == .string(ResourceID.claimForm(Example.vmID)))
            #expect(claims["xms_mirid"]?.stringValue?.contains("/resourcegroups/rg-apps/") == true)
            #expect(claims["xms_az_rid"] == nil)
            for key in ["aio", "rh", "uti"] { #expect(claims[key]?.stringValue?.isEmpty == false) }
            let iat = try #require(claims["iat"]?.intValue)
            #expect(claims["nbf"]?.intValue == iat)
            #expect(claims["exp"]?.intValue == iat + 86_399)
        }
    }

    @Test func imdsSelectsUserAssignedIdentityByClientObjectOrResourceID() async throws {
        try await Example.withSimulator { sim in
            let vm =
                "/subscriptions/\(Example.subscription)/resourcegroups/rg-apps/providers/Microsoft.Compute/virtualMachines/vm-web"
            for selector in [
                "client_id=\(Example.webIdentityClient)", "object_id=\(Example.webIdentityPrincipal)",
                "msi_res_id=\(Example.webIdentityID)",
            ] {
                let answer = try await imds(sim, "api-version=2021-05-01&resource=api://coffer&\(selector)")
                #expect(answer.status == 200, "\(selector)")
                let claims = try TokenCheck.decode(try #require(answer.json["access_token"]?.stringValue)).claims
                #expect(claims["oid"] == .string(Example.webIdentityPrincipal))
                #expect(claims["appid"] == .string(Example.webIdentityClient))
                #expect(claims["aud"] == "api://coffer")
                #expect(
                    claims["xms_mirid"]
                        == .string(
                            "/subscriptions/\(Example.subscription)/resourcegroups/rg-apps/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-web"
                        ))
                #expect(claims["xms_az_rid"] == .string(vm))
            }
            let unknown = try await imds(sim, "api-version=2021-05-01&resource=api://coffer&client_id=\(UUID())")
            #expect(unknown.status == 400)
            #expect(unknown.json["error_description"] == "Identity not found")
        }
    }

    @Test func instanceMetadataOfVMAndScaleSetInstances() async throws {
        try await Example.withSimulator { sim in
            func compute() async throws -> JSONValue {
                let answer = try await HTTP.get(
                    "\(sim.baseURL)metadata/instance?api-version=2021-05-01", headers: [("Metadata", "true")])
                #expect(answer.status == 200)
                return try #require(answer.json["compute"])
            }
            var vm = try await compute()
            #expect(vm["name"] == "vm-web")
            #expect(vm["vmScaleSetName"] == "")
            #expect(vm["subscriptionId"] == .string(Example.subscription))
            #expect(vm["resourceGroupName"] == "rg-apps")
            #expect(vm["location"] == "westeurope")
            sim.setCurrentMachine(.init(scaleSet: "vmss-flex", instance: "e5f6a7b8"))
            vm = try await compute()
            #expect(vm["name"] == "vmss-flex_e5f6a7b8")
            #expect(vm["vmScaleSetName"] == "vmss-flex")
            let missing = try await HTTP.get("\(sim.baseURL)metadata/instance?api-version=2021-05-01")
            #expect(missing.status == 400)
        }
    }

    @Test func scaleSetTokensNameTheScaleSetOrTheFlexibleInstance() async throws {
        try await Example.withSimulator { sim in
            let jwks = sim.jwks()
            let prefix = "/subscriptions/\(Example.subscription)/resourcegroups/rg-apps/providers/Microsoft.Compute"
            let uniformSystem = try TokenCheck.verify(
                try sim.managedIdentityToken(scaleSet: "vmss-uniform"), jwks: jwks)
            #expect(uniformSystem.claims["xms_mirid"] == .string("\(prefix)/virtualMachineScaleSets/vmss-uniform"))
            #expect(uniformSystem.claims["oid"] == .string(Example.uniformPrincipal))
            let uniformUser = try TokenCheck.verify(
                try sim.managedIdentityToken(scaleSet: "vmss-uniform", instance: "1", identity: "uami-shared"),
                jwks: jwks)
            #expect(uniformUser.claims["xms_az_rid"] == .string("\(prefix)/virtualMachineScaleSets/vmss-uniform"))
            #expect(uniformUser.claims["oid"] == .string(Example.sharedIdentityPrincipal))
            #expect(uniformUser.claims["xms_mirid"] == .string(ResourceID.claimForm(Example.sharedIdentityID)))
            // A flexible instance is a VM named <vmss>_<suffix>; its only identity is picked without a selector.
            let flexible = try TokenCheck.verify(try sim.managedIdentityToken(vm: "vmss-flex_a1b2c3d4"), jwks: jwks)
            #expect(flexible.claims["xms_az_rid"] == .string("\(prefix)/virtualMachines/vmss-flex_a1b2c3d4"))
            #expect(flexible.claims["oid"] == .string(Example.sharedIdentityPrincipal))
            sim.setCurrentMachine(.init(scaleSet: "vmss-flex", instance: "e5f6a7b8"))
            let answer = try await imds(sim, "api-version=2018-02-01&resource=https://management.azure.com/")
            let claims = try TokenCheck.decode(try #require(answer.json["access_token"]?.stringValue)).claims
            #expect(claims["xms_az_rid"] == .string("\(prefix)/virtualMachines/vmss-flex_e5f6a7b8"))
        }
    }

    @Test func appServiceEndpointAndSiteTokens() async throws {
        try await Example.withSimulator { sim in
            let url = "\(sim.baseURL)msi/token?api-version=2019-08-01&resource=https://management.azure.com/"
            #expect(try await HTTP.get(url).status == 401)
            #expect(try await HTTP.get(url, headers: [("X-IDENTITY-HEADER", "wrong")]).status == 401)
            let badVersion = try await HTTP.get(
                url.replacingOccurrences(of: "2019-08-01", with: "2017-09-01"),
                headers: [("X-IDENTITY-HEADER", Example.identityHeader)])
            #expect(badVersion.status == 400)
            let answer = try await HTTP.get(url, headers: [("X-IDENTITY-HEADER", sim.appServiceIdentityHeader)])
            #expect(answer.status == 200)
            #expect(answer.json["expires_on"]?.stringValue.flatMap { Int($0) } != nil)
            #expect(answer.json["resource"] == "https://management.azure.com/")
            let claims = try TokenCheck.verify(
                try #require(answer.json["access_token"]?.stringValue), jwks: sim.jwks()
            ).claims
            #expect(claims["oid"] == .string(Example.sitePrincipal))
            #expect(claims["xms_mirid"] == .string(ResourceID.claimForm(Example.siteID)))
            #expect(claims["xms_mirid"]?.stringValue?.hasSuffix("/providers/Microsoft.Web/sites/app-orders") == true)
            let user = try await HTTP.get(
                url + "&client_id=\(Example.webIdentityClient)",
                headers: [("X-IDENTITY-HEADER", Example.identityHeader)])
            let userClaims = try TokenCheck.decode(try #require(user.json["access_token"]?.stringValue)).claims
            #expect(userClaims["xms_az_rid"] == .string(ResourceID.claimForm(Example.siteID)))
        }
    }

    @Test func workloadIdentityTokensAreVersion2() async throws {
        try await Example.withSimulator { sim in
            let jwt = try sim.workloadIdentityToken(clientID: Example.sharedIdentityClient, audience: "api://coffer")
            let claims = try TokenCheck.verify(jwt, jwks: try await TokenCheck.publishedJWKS(sim)).claims
            #expect(claims["ver"] == "2.0")
            #expect(claims["iss"] == .string("\(sim.baseURL)\(Example.tenant)/v2.0"))
            #expect(claims["azp"] == .string(Example.sharedIdentityClient))
            #expect(claims["appid"] == nil)
            #expect(claims["oid"] == .string(Example.sharedIdentityPrincipal))
        }
    }
}
