import CofferClient
import CofferTesting
import Foundation
import Testing

/// `coffer login -method=azure` and the `GetSecretWithAzureAuth` example against a real dev server and
/// the Azure simulator (subprocesses on loopback).
@Suite(.serialized) struct AzureLoginCLITests {
    /// Logs in with `arguments` and checks that the stored token reads `secret/creds`.
    private func loginAndRead(
        _ lab: AzureLoginLab, _ arguments: [String] = ["role=dev-role"], environment: [String: String] = [:]
    ) async throws -> DevServer.Result {
        try? FileManager.default.removeItem(atPath: lab.tokenFile)
        let login = try await lab.coffer(["login", "-method=azure"] + arguments, environment: environment)
        #expect(login.status == 0, "\(login.stderr)")
        let stored = try String(contentsOfFile: lab.tokenFile, encoding: .utf8)
        #expect(stored.hasPrefix("hvs."))
        if login.stdout.hasPrefix("{") {
            #expect(try login.json()["auth"]?["client_token"]?.stringValue == stored)
        } else {
            #expect(login.stdout.contains("token                             \(stored)"))
        }
        let read = try await lab.coffer(["kv", "get", "-field=password", "secret/creds"], environment: environment)
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout == "s3cr3t")
        return login
    }

    @Test func exampleOnASimulatedVMPrintsThePasswordAndUsesTheGoWording() async throws {
        try await AzureLoginLab.with { lab in
            let ok = try await lab.example()
            #expect(ok.status == 0, "\(ok.stderr)")
            #expect(ok.stdout == "s3cr3t\n")
            #expect(try await lab.requests(pathContains: "/metadata/identity/oauth2/token").count == 1)
            #expect(try await lab.requests(pathContains: "/metadata/instance").count == 1)

            try await withVaultClient(.init(address: lab.vaultAddress, token: lab.rootToken)) { client in
                try await client.kvV2(mount: "secret").deleteMetadata("creds")
            }
            let absent = try await lab.example()
            #expect(absent.status != 0)
            #expect(absent.stdout.isEmpty)
            #expect(absent.stderr == "unable to read secret: secret not found: at secret/data/creds\n")

            try await withVaultClient(.init(address: lab.vaultAddress, token: lab.rootToken)) { client in
                try await client.kvV2(mount: "secret").put("creds", ["password": 42])
            }
            let number = try await lab.example()
            #expect(number.stderr == "value type assertion failed: json.Number \"42\"\n")

            try await withVaultClient(.init(address: lab.vaultAddress, token: lab.rootToken)) { client in
                try await client.delete("auth/azure/role/dev-role-azure")
            }
            let noRole = try await lab.example()
            #expect(noRole.status != 0)
            #expect(noRole.stderr.hasPrefix("unable to login to Azure auth method: unable to log in with Azure auth: "))
            #expect(noRole.stderr.contains("invalid role name"))

            let badAddress = try await lab.example(environment: ["VAULT_ADDR": "ftp://nowhere"])
            #expect(badAddress.stderr.hasPrefix("unable to initialize Vault client: "))
        }
    }

    @Test func loginFromVMAndBothScaleSetKinds() async throws {
        try await AzureLoginLab.with { lab in
            let vm = try await loginAndRead(lab)
            #expect(vm.stdout.contains("token_meta_vm_name                vm-web"))

            try await lab.control("PUT", "current-machine", ["scaleSet": "vmss-flex", "instance": "a1b2c3d4"])
            let flexible = try await loginAndRead(lab)
            #expect(flexible.stdout.contains("token_meta_vmss_name              vmss-flex"))

            try await lab.control("PUT", "current-machine", ["scaleSet": "vmss-uniform", "instance": "1"])
            let uniform = try await loginAndRead(lab)
            #expect(uniform.stdout.contains("token_meta_vmss_name              vmss-uniform"))
        }
    }

    @Test func loginWithAChosenUserAssignedIdentity() async throws {
        try await AzureLoginLab.with { lab in
            let login = try await loginAndRead(
                lab, ["-format=json", "role=dev-role", "client_id=\(AzureLoginLab.uamiWebClientID)"])
            let json = try login.json()
            #expect(json["auth"]?["metadata"]?["app_id"]?.stringValue == AzureLoginLab.uamiWebClientID)
            let tokenQueries = try await lab.requests(pathContains: "/metadata/identity/oauth2/token")
            #expect(tokenQueries.last?.query["client_id"]?.stringValue == AzureLoginLab.uamiWebClientID)
            #expect(tokenQueries.last?.query["resource"]?.stringValue == "https://management.azure.com/")

            let two = try await lab.coffer(["login", "-method=azure", "role=dev-role", "client_id=a", "object_id=b"])
            #expect(two.status == 1)
            #expect(two.stderr.contains("only one of client_id, object_id or msi_res_id"))
        }
    }

    @Test func loginFromAppServiceWithoutIMDS() async throws {
        try await AzureLoginLab.with { lab in
            let site: [String: String] = [
                "IDENTITY_ENDPOINT": lab.simulatorURL + "msi/token", "IDENTITY_HEADER": AzureLoginLab.appServiceHeader,
                "WEBSITE_OWNER_NAME": AzureLoginLab.subscription + "+rg-apps-WestEuropewebspace",
                "WEBSITE_RESOURCE_GROUP": "rg-apps", "WEBSITE_SITE_NAME": "app-orders",
            ]
            let login = try await loginAndRead(lab, ["-format=json", "role=dev-role"], environment: site)
            let metadata = try login.json()["auth"]?["metadata"]
            #expect(
                metadata?["resource_id"]?.stringValue
                    == "/subscriptions/\(AzureLoginLab.subscription)/resourceGroups/rg-apps/providers/Microsoft.Web/sites/app-orders"
            )
            // Without the site variables the resource comes from the token's xms_mirid.
            var bare = site
            for key in ["WEBSITE_OWNER_NAME", "WEBSITE_RESOURCE_GROUP", "WEBSITE_SITE_NAME"] { bare[key] = "" }
            let fromClaims = try await loginAndRead(lab, ["-format=json", "role=dev-role"], environment: bare)
            #expect(
                fromClaims.stdout.contains("providers/Microsoft.Web/sites/app-orders"), "\(fromClaims.stdout)")
            #expect(try await lab.requests(pathContains: "/msi/token").count == 2)
            #expect(try await lab.requests(pathContains: "/metadata/").isEmpty)
        }
    }

    @Test func loginWithAKSWorkloadIdentityWithoutIMDS() async throws {
        try await AzureLoginLab.with { lab in
            let issuer = lab.simulatorURL + "aks-oidc"
            let subject = "system:serviceaccount:default:orders"
            // The identity trusts the cluster's service-account issuer (keys: the simulator's own).
            let (_, keys) = try await AzureLoginLab.http(
                "GET", lab.simulatorURL + AzureLoginLab.tenant + "/discovery/v2.0/keys")
            var fixture = try #require(try await lab.control("GET", "fixture")?.objectValue)
            var identities = try #require(fixture["userAssignedIdentities"]?.arrayValue)
            let index = try #require(identities.firstIndex { $0["name"]?.stringValue == "uami-web" })
            var identity = try #require(identities[index].objectValue)
            identity["federatedCredentials"] = [
                [
                    "issuer": .string(issuer), "subject": .string(subject), "audiences": ["api://AzureADTokenExchange"],
                    "jwks": try JSONValue(parsing: keys),
                ]
            ]
            identities[index] = .object(identity)
            fixture["userAssignedIdentities"] = .array(identities)
            try await lab.control("PUT", "fixture", .object(fixture))

            let now = Int64(Date().timeIntervalSince1970)
            let assertion = try #require(
                try await lab.control(
                    "POST", "tokens/custom",
                    [
                        "claims": [
                            "iss": .string(issuer), "sub": .string(subject), "aud": ["api://AzureADTokenExchange"],
                            "iat": .int(now), "nbf": .int(now), "exp": .int(now + 3600),
                        ]
                    ])?["access_token"]?.stringValue)
            let file = lab.home + "/azure-identity-token"
            try assertion.write(toFile: file, atomically: true, encoding: .utf8)
            try await lab.control("DELETE", "requests")

            let login = try await loginAndRead(
                lab, ["-format=json", "role=dev-role"],
                environment: [
                    "AZURE_FEDERATED_TOKEN_FILE": file, "AZURE_CLIENT_ID": AzureLoginLab.uamiWebClientID,
                    "AZURE_TENANT_ID": AzureLoginLab.tenant, "AZURE_AUTHORITY_HOST": lab.simulatorURL,
                ])
            let metadata = try login.json()["auth"]?["metadata"]
            #expect(metadata?["app_id"]?.stringValue == AzureLoginLab.uamiWebClientID)
            #expect(metadata?["vm_name"] == nil)
            #expect(try await lab.requests(pathContains: "/metadata/").isEmpty)
        }
    }

    @Test func imdsThrottlingIsRetriedAndAnUnreachableIMDSIsNamed() async throws {
        try await AzureLoginLab.with { lab in
            try await lab.control(
                "POST", "faults", ["pathContains": "/metadata/identity/oauth2/token", "status": 429, "count": 2])
            _ = try await loginAndRead(lab)
            #expect(
                try await lab.requests(pathContains: "/metadata/identity/oauth2/token").map(\.status) == [
                    429, 429, 200,
                ])

            try "previous".write(toFile: lab.tokenFile, atomically: true, encoding: .utf8)
            let started = ContinuousClock.now
            let down = try await lab.coffer(
                ["login", "-method=azure", "role=dev-role"],
                environment: ["AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:\(try DevServer.freePort())"])
            #expect(down.status == 2)
            #expect(down.stderr.contains("IMDS"), "\(down.stderr)")
            #expect(ContinuousClock.now - started < .seconds(60))
            #expect(try String(contentsOfFile: lab.tokenFile, encoding: .utf8) == "previous")
        }
    }

    @Test func refusalsOutputFormatsAndNoStore() async throws {
        try await AzureLoginLab.with { lab in
            try "previous".write(toFile: lab.tokenFile, atomically: true, encoding: .utf8)
            let refused = try await lab.coffer(["login", "-method=azure", "role=no-such-role"])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("invalid role name"), "\(refused.stderr)")
            #expect(try String(contentsOfFile: lab.tokenFile, encoding: .utf8) == "previous")

            let noRole = try await lab.coffer(["login", "-method=azure"])
            #expect(noRole.status == 1)
            #expect(noRole.stderr.contains("no role name provided for login"))

            let field = try await lab.coffer(["login", "-method=azure", "-no-store", "-field=token", "role=dev-role"])
            #expect(field.status == 0, "\(field.stderr)")
            #expect(field.stdout.hasPrefix("hvs.") && !field.stdout.contains("\n"))
            #expect(try String(contentsOfFile: lab.tokenFile, encoding: .utf8) == "previous")
            let read = try await lab.coffer(
                ["kv", "get", "-field=password", "secret/creds"], environment: ["VAULT_TOKEN": field.stdout])
            #expect(read.stdout == "s3cr3t")

            let json = try await lab.coffer(["login", "-method=azure", "-format=json", "role=dev-role", "mount=azure"])
            let token = try #require(try json.json()["auth"]?["client_token"]?.stringValue)
            #expect(try String(contentsOfFile: lab.tokenFile, encoding: .utf8) == token)

            // An explicit JWT: no IMDS token request; the fields come from the token's claims.
            let jwt = try #require(
                try await lab.control("POST", "tokens/managed-identity", ["vm": "vm-web"])?["access_token"]?.stringValue
            )
            try await lab.control("DELETE", "requests")
            _ = try await loginAndRead(lab, ["role=dev-role", "jwt=\(jwt)"])
            #expect(try await lab.requests(pathContains: "/metadata/").isEmpty)
        }
    }

    @Test func aciWithoutInstanceMetadataLogsInWithTheTokenAlone() async throws {
        try await AzureLoginLab.with { lab in
            try await withVaultClient(.init(address: lab.vaultAddress, token: lab.rootToken)) { client in
                try await client.write(
                    "auth/azure/role/aci",
                    data: [
                        "token_policies": "reader",
                        "bound_service_principal_ids": .string(AzureLoginLab.vmWebSystemPrincipal),
                    ])
            }
            try await lab.control("POST", "faults", ["pathContains": "/metadata/instance", "status": 404, "count": 1])
            let login = try await loginAndRead(lab, ["-format=json", "role=aci"])
            let metadata = try login.json()["auth"]?["metadata"]
            #expect(metadata?["vm_name"] == nil)
            #expect(metadata?["subscription_id"]?.stringValue == "")
        }
    }

    @Test func loginFromAzureArcAnswersTheChallengeFile() async throws {
        try await AzureLoginLab.with { lab in
            let jwt = try #require(
                try await lab.control("POST", "tokens/managed-identity", ["vm": "vm-web"])?["access_token"]?.stringValue
            )
            let arc = try AzureLoginArcEndpoint(
                keyFile: lab.home + "/arc-challenge.key", secret: "local-secret", token: jwt)
            defer { arc.stop() }
            try await lab.control("DELETE", "requests")
            _ = try await loginAndRead(
                lab,
                environment: [
                    "IDENTITY_ENDPOINT": arc.address + "/metadata/identity/oauth2/token", "IMDS_ENDPOINT": arc.address,
                ])
            #expect(arc.receivedAuthorizations == ["", "Basic local-secret"])
            #expect(try await lab.requests(pathContains: "/metadata/").isEmpty)
        }
    }
}
