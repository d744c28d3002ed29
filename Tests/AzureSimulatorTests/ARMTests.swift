import Foundation
import Testing

@testable import AzureSimulator

@Suite struct ARMTests {
    static let compute = "2022-11-01"

    private func get(_ sim: AzureSimulator, _ path: String, token: String?) async throws -> HTTPAnswer {
        try await HTTP.get(
            sim.baseURL + path.dropFirst(), headers: token.map { [("Authorization", "Bearer \($0)")] } ?? [])
    }

    private func armToken(_ sim: AzureSimulator) throws -> String { try sim.applicationToken(appID: Example.appID) }

    @Test func virtualMachineGetWithInstanceView() async throws {
        try await Example.withSimulator { sim in
            let answer = try await get(
                sim, "\(Example.vmID)?$expand=instanceView&api-version=\(Self.compute)", token: try armToken(sim))
            #expect(answer.status == 200)
            let vm = answer.json
            #expect(vm["id"] == .string(Example.vmID))
            #expect(vm["name"] == "vm-web")
            #expect(vm["type"] == "Microsoft.Compute/virtualMachines")
            #expect(vm["location"] == "westeurope")
            #expect(vm["identity"]?["type"] == "SystemAssigned, UserAssigned")
            #expect(vm["identity"]?["principalId"] == .string(Example.vmPrincipal))
            #expect(
                vm["identity"]?["userAssignedIdentities"]?[Example.webIdentityID]?["principalId"]
                    == .string(Example.webIdentityPrincipal))
            #expect(vm["properties"]?["instanceView"]?["statuses"]?.arrayValue?.isEmpty == false)
            let plain = try await get(sim, "\(Example.vmID)?api-version=\(Self.compute)", token: try armToken(sim))
            #expect(plain.json["properties"]?["instanceView"] == nil)
        }
    }

    @Test func flexibleScaleSetOmitsPrincipalIdsUniformHasThem() async throws {
        try await Example.withSimulator { sim in
            let base = "\(Example.rg)/providers/Microsoft.Compute/virtualMachineScaleSets"
            let flexible = try await get(sim, "\(base)/vmss-flex?api-version=\(Self.compute)", token: try armToken(sim))
            #expect(flexible.status == 200)
            #expect(flexible.json["properties"]?["orchestrationMode"] == "Flexible")
            let flexEntries = try #require(flexible.json["identity"]?["userAssignedIdentities"]?.objectValue)
            #expect(flexEntries.keys.sorted() == [Example.sharedIdentityID])
            #expect(flexEntries.values.allSatisfy { $0["principalId"] == nil })
            let uniform = try await get(
                sim, "\(base)/vmss-uniform?api-version=\(Self.compute)", token: try armToken(sim))
            #expect(uniform.json["properties"]?["orchestrationMode"] == "Uniform")
            #expect(uniform.json["identity"]?["principalId"] == .string(Example.uniformPrincipal))
            let uniformEntries = try #require(uniform.json["identity"]?["userAssignedIdentities"]?.objectValue)
            #expect(uniformEntries.values.allSatisfy { $0["principalId"] == .string(Example.sharedIdentityPrincipal) })
            // The flexible instance is a VM of its own, whose identity entries do carry principalId.
            let instance = try await get(
                sim,
                "\(Example.rg)/providers/Microsoft.Compute/virtualMachines/vmss-flex_a1b2c3d4?api-version=\(Self.compute)",
                token: try armToken(sim))
            #expect(instance.status == 200)
            #expect(instance.json["properties"]?["virtualMachineScaleSet"]?["id"] == .string("\(base)/vmss-flex"))
        }
    }

    @Test func userAssignedIdentityAndGenericResource() async throws {
        try await Example.withSimulator { sim in
            let identity = try await get(
                sim, "\(Example.sharedIdentityID)?api-version=2023-01-31", token: try armToken(sim))
            #expect(identity.status == 200)
            #expect(identity.json["properties"]?["principalId"] == .string(Example.sharedIdentityPrincipal))
            #expect(identity.json["properties"]?["clientId"] == .string(Example.sharedIdentityClient))
            #expect(identity.json["properties"]?["tenantId"] == .string(Example.tenant))
            let site = try await get(sim, "\(Example.siteID)?api-version=2023-12-01", token: try armToken(sim))
            #expect(site.status == 200)
            #expect(site.json["type"] == "Microsoft.Web/sites")
            #expect(site.json["kind"] == "app,linux")
            #expect(site.json["identity"]?["principalId"] == .string(Example.sitePrincipal))
            // An api-version the provider does not list is refused like Azure does.
            let wrongVersion = try await get(sim, "\(Example.siteID)?api-version=2015-01-01", token: try armToken(sim))
            #expect(wrongVersion.status == 400)
            #expect(wrongVersion.json["error"]?["code"] == "NoRegisteredProviderFound")
        }
    }

    @Test func providerListsResourceTypesNewestFirstWithPreviews() async throws {
        try await Example.withSimulator { sim in
            let answer = try await get(
                sim, "/subscriptions/\(Example.subscription)/providers/Microsoft.Web?api-version=2021-04-01",
                token: try armToken(sim))
            #expect(answer.status == 200)
            #expect(answer.json["namespace"] == "Microsoft.Web")
            let sites = try #require(answer.json["resourceTypes"]?.arrayValue?.first { $0["resourceType"] == "sites" })
            #expect(sites["apiVersions"] == ["2024-04-01-preview", "2023-12-01", "2022-09-01", "2022-03-01"])
            let unknown = try await get(
                sim, "/subscriptions/\(Example.subscription)/providers/Microsoft.Nope?api-version=2021-04-01",
                token: try armToken(sim))
            #expect(unknown.status == 404)
        }
    }

    @Test func authenticationAndAPIVersionAreRequired() async throws {
        try await Example.withSimulator { sim in
            let path = "\(Example.vmID)?api-version=\(Self.compute)"
            let missing = try await get(sim, path, token: nil)
            #expect(missing.status == 401)
            #expect(missing.json["error"]?["code"] == "AuthenticationFailed")
            #expect(missing.headers.first(name: "WWW-Authenticate")?.hasPrefix("Bearer authorization_uri=") == true)
            let garbage = try await get(sim, path, token: "not-a-jwt")
            #expect(garbage.json["error"]?["code"] == "InvalidAuthenticationToken")
            // A well-formed token signed by a key the simulator never published.
            let stranger = try await AzureSimulator.make(fixture: try Example.fixture())
            let foreign = try await get(sim, path, token: try stranger.applicationToken(appID: Example.appID))
            #expect(foreign.status == 401)
            #expect(foreign.json["error"]?["code"] == "InvalidAuthenticationToken")
            let graphToken = try sim.applicationToken(appID: Example.appID, resource: "https://graph.microsoft.com")
            let wrongAudience = try await get(sim, path, token: graphToken)
            #expect(wrongAudience.json["error"]?["code"] == "InvalidAuthenticationTokenAudience")
            var expired = sim.standardClaims(tenant: Example.tenant, audience: "https://management.azure.com/")
            expired["exp"] = .int(Int64(Date().timeIntervalSince1970) - 60)
            let expiredAnswer = try await get(sim, path, token: try sim.issueToken(claims: expired))
            #expect(expiredAnswer.json["error"]?["code"] == "ExpiredAuthenticationToken")
            let noVersion = try await get(sim, Example.vmID, token: try armToken(sim))
            #expect(noVersion.status == 400)
            #expect(noVersion.json["error"]?["code"] == "MissingApiVersionParameter")
            // Managed-identity tokens for ARM are accepted too.
            let managed = try sim.managedIdentityToken(vm: "vm-web")
            #expect(try await get(sim, path, token: managed).status == 200)
        }
    }

    @Test func notFoundShapes() async throws {
        try await Example.withSimulator { sim in
            let token = try armToken(sim)
            let vm = try await get(
                sim, "\(Example.rg)/providers/Microsoft.Compute/virtualMachines/vm-missing?api-version=\(Self.compute)",
                token: token)
            #expect(vm.status == 404)
            #expect(vm.json["error"]?["code"] == "ResourceNotFound")
            #expect(
                vm.json["error"]?["message"]?.stringValue?.hasPrefix(
                    "The Resource 'Microsoft.Compute/virtualMachines/vm-missing' under resource group 'rg-apps' was not found"
                )
                    == true)
            let group = try await get(
                sim,
                "/subscriptions/\(Example.subscription)/resourceGroups/rg-none/providers/Microsoft.Compute/virtualMachines/x?api-version=\(Self.compute)",
                token: token)
            #expect(group.status == 404)
            #expect(group.json["error"]?["code"] == "ResourceGroupNotFound")
        }
    }

    @Test func listingIdentitiesFollowsNextLinkPages() async throws {
        try await Example.withSimulator(edit: { fixture in
            fixture.listPageSize = 2
            for index in 0..<5 {
                fixture.userAssignedIdentities.append(
                    .init(
                        subscriptionId: Example.subscription, resourceGroup: "rg-many", name: "id-\(index)",
                        principalId: UUID().uuidString.lowercased(), clientId: "client-\(index)"))
            }
        }) { sim in
            let token = try armToken(sim)
            var url: String? =
                "\(sim.baseURL)subscriptions/\(Example.subscription)/resourceGroups/rg-many/providers/Microsoft.ManagedIdentity/userAssignedIdentities?api-version=2023-01-31"
            var clientIDs: [String] = []
            var pages = 0
            while let next = url {
                let page = try await HTTP.get(next, headers: [("Authorization", "Bearer \(token)")])
                #expect(page.status == 200)
                let values = try #require(page.json["value"]?.arrayValue)
                #expect(values.count <= 2)
                clientIDs += values.compactMap { $0["properties"]?["clientId"]?.stringValue }
                url = page.json["nextLink"]?.stringValue
                pages += 1
            }
            #expect(pages == 3)
            #expect(clientIDs == (0..<5).map { "client-\($0)" })
        }
    }
}
