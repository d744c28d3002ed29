import Foundation
import Testing

@testable import AzureSimulator

@Suite struct GraphTests {
    private func graphToken(_ sim: AzureSimulator) async throws -> String {
        let answer = try await HTTP.postForm(
            "\(sim.baseURL)\(Example.tenant)/oauth2/v2.0/token",
            [
                ("grant_type", "client_credentials"), ("client_id", Example.appID), ("client_secret", Example.secret),
                ("scope", "\(sim.baseURL)graph/.default"),
            ])
        return try #require(answer.json["access_token"]?.stringValue)
    }

    @Test func findApplicationByAppID() async throws {
        try await Example.withSimulator { sim in
            let token = try await graphToken(sim)
            let answer = try await HTTP.get(
                "\(sim.baseURL)graph/v1.0/applications?$filter=appId%20eq%20'\(Example.appID)'",
                headers: [("Authorization", "Bearer \(token)")])
            #expect(answer.status == 200)
            let apps = try #require(answer.json["value"]?.arrayValue)
            #expect(apps.count == 1)
            #expect(apps[0]["id"] == .string(Example.appObjectID))
            #expect(apps[0]["appId"] == .string(Example.appID))
            #expect(apps[0]["passwordCredentials"]?.arrayValue?.first?["secretText"] == .null)
            let none = try await HTTP.get(
                "\(sim.baseURL)v1.0/applications?$filter=appId%20eq%20'\(UUID())'",
                headers: [("Authorization", "Bearer \(token)")])
            #expect(none.json["value"] == [])
            let armToken = try sim.applicationToken(appID: Example.appID)
            let refused = try await HTTP.get(
                "\(sim.baseURL)graph/v1.0/applications", headers: [("Authorization", "Bearer \(armToken)")])
            #expect(refused.status == 401)
            #expect(refused.json["error"]?["code"] == "InvalidAuthenticationToken")
        }
    }

    /// Graph lists each password with its `hint`: the secret's first three characters unless the fixture sets one;
    /// an empty fixture hint lists none.
    @Test func passwordsAreListedWithTheirHint() async throws {
        let chosen = SimulatorFixture.PasswordCredential(
            keyId: "0a0a0a0a-1111-4222-8333-444455556666", secretText: "abc8Q~ChosenHintDiffersFromTheSecret",
            hint: "xyz")
        try await Example.withSimulator(edit: { fixture in
            fixture.tenants[0].applications[0].passwordCredentials.append(chosen)
        }) { sim in
            let token = try await graphToken(sim)
            let read: () async throws -> [JSONValue] = {
                let answer = try await HTTP.get(
                    "\(sim.baseURL)graph/v1.0/applications/\(Example.appObjectID)",
                    headers: [("Authorization", "Bearer \(token)")])
                return try #require(answer.json["passwordCredentials"]?.arrayValue)
            }
            let listed = try await read()
            #expect(listed.map { $0["hint"] } == [.string(String(Example.secret.prefix(3))), "xyz"])
            try sim.updateFixture { $0.tenants[0].applications[0].passwordCredentials[0].hint = "" }
            #expect(try await read().map { $0["hint"] } == [.null, "xyz"])
        }
    }

    @Test func addedPasswordsWorkAtTheTokenEndpointUntilRemoved() async throws {
        try await Example.withSimulator { sim in
            let token = try await graphToken(sim)
            let base = "\(sim.baseURL)graph/v1.0/applications/\(Example.appObjectID)"
            let added = try await HTTP.postJSON(
                "\(base)/addPassword",
                ["passwordCredential": ["displayName": "vault-rotated", "endDateTime": "2030-01-01T00:00:00Z"]],
                headers: [("Authorization", "Bearer \(token)")])
            #expect(added.status == 200)
            let secret = try #require(added.json["secretText"]?.stringValue)
            let keyID = try #require(added.json["keyId"]?.stringValue)
            #expect(secret.count == 40)
            #expect(added.json["endDateTime"] == "2030-01-01T00:00:00Z")
            #expect(added.json["displayName"] == "vault-rotated")
            #expect(added.json["hint"] == .string(String(secret.prefix(3))))
            func login(_ secret: String) async throws -> Int {
                try await HTTP.postForm(
                    "\(sim.baseURL)\(Example.tenant)/oauth2/v2.0/token",
                    [
                        ("grant_type", "client_credentials"), ("client_id", Example.appID), ("client_secret", secret),
                        ("scope", "https://management.azure.com/.default"),
                    ]
                ).status
            }
            #expect(try await login(secret) == 200)
            #expect(try await login(Example.secret) == 200)
            let removed = try await HTTP.postJSON(
                "\(base)/removePassword", ["keyId": .string(keyID)], headers: [("Authorization", "Bearer \(token)")])
            #expect(removed.status == 204)
            #expect(try await login(secret) == 401)
            let again = try await HTTP.postJSON(
                "\(base)/removePassword", ["keyId": .string(keyID)], headers: [("Authorization", "Bearer \(token)")])
            #expect(again.status == 400)
            let missingApp = try await HTTP.postJSON(
                "\(sim.baseURL)graph/v1.0/applications/\(UUID())/addPassword", ["passwordCredential": [:]],
                headers: [("Authorization", "Bearer \(token)")])
            #expect(missingApp.status == 404)
            #expect(missingApp.json["error"]?["code"] == "Request_ResourceNotFound")
        }
    }

    @Test func expiredPasswordsAreRefused() async throws {
        try await Example.withSimulator(edit: { fixture in
            fixture.tenants[0].applications[0].passwordCredentials[0].endDateTime = "2020-01-01T00:00:00Z"
        }) { sim in
            let answer = try await HTTP.postForm(
                "\(sim.baseURL)\(Example.tenant)/oauth2/v2.0/token",
                [
                    ("grant_type", "client_credentials"), ("client_id", Example.appID),
                    ("client_secret", Example.secret), ("scope", "https://management.azure.com/.default"),
                ])
            #expect(answer.status == 401)
            #expect(answer.json["error_codes"] == [7_000_222])
        }
    }
}
