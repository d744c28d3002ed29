import CofferClient
import CofferTesting
import Foundation
import Testing

/// CofferClient's KV v2 helper, token helpers and lifetime watcher against a real dev server.
@Suite(.serialized) struct AzureLoginClientLibraryTests {
    @Test func kvV2VersionsPatchDeleteAndNotFound() async throws {
        try await DevServer.with { server in
            try await withVaultClient(.init(address: server.address, token: server.rootToken)) { client in
                let kv = client.kvV2(mount: "secret")
                await #expect(throws: KVError.secretNotFound(context: "at secret/data/app")) {
                    try await kv.get("app")
                }
                #expect(try await kv.put("app", ["a": "1"]).versionMetadata?.version == 1)
                #expect(try await kv.patch("app", ["b": "2"], checkAndSet: 1).versionMetadata?.version == 2)
                await #expect(throws: VaultAPIError.self) { try await kv.put("app", ["c": "3"], checkAndSet: 1) }
                #expect(try await kv.get("app").data == ["a": "1", "b": "2"])
                #expect(try await kv.get("app", version: 1).data == ["a": "1"])

                try await kv.delete("app")
                let deleted = try await kv.get("app")
                #expect(deleted.data == nil)
                #expect(deleted.versionMetadata?.version == 2)
                #expect(deleted.versionMetadata?.deletionTime.isEmpty == false)
                try await kv.undelete("app", versions: [2])
                #expect(try await kv.get("app").data?["b"] == "2")
                try await kv.destroy("app", versions: [1])
                #expect(try await kv.get("app", version: 1).versionMetadata?.destroyed == true)

                try await kv.putMetadata("app", KVMetadataUpdate(maxVersions: 5, customMetadata: ["team": "web"]))
                let metadata = try await kv.metadata("app")
                #expect(metadata.currentVersion == 2)
                #expect(metadata.maxVersions == 5)
                #expect(metadata.customMetadata == ["team": "web"])
                #expect(metadata.versions.map(\.version) == [1, 2])
                #expect(try await kv.get("app").customMetadata == ["team": "web"])

                await #expect(throws: KVError.secretNotFound(context: "performing merge patch to secret/data/none")) {
                    try await kv.patch("none", ["x": "y"])
                }
                try await kv.deleteMetadata("app")
                await #expect(throws: KVError.secretNotFound(context: "at secret/metadata/app")) {
                    try await kv.metadata("app")
                }
            }
        }
    }

    @Test func tokenLookupRenewRevokeSelf() async throws {
        try await DevServer.with { server in
            try await withVaultClient(.init(address: server.address, token: server.rootToken)) { client in
                let created = try #require(
                    try await client.write("auth/token/create", data: ["ttl": "1h", "policies": ["default"]])?.authInfo)
                let info = try await client.lookupSelf(token: created.clientToken)
                #expect(info["id"]?.stringValue == created.clientToken)
                let renewed = try await client.renewSelf(increment: 600, token: created.clientToken)
                #expect(renewed.leaseDuration == 600)
                #expect(renewed.renewable)
                try await client.revokeSelf(token: created.clientToken)
                await #expect(throws: VaultAPIError.self) { try await client.lookupSelf(token: created.clientToken) }
            }
        }
    }

    @Test func lifetimeWatcherRenewsAShortTokenUntilItsMaxTTL() async throws {
        try await DevServer.with { server in
            try await withVaultClient(.init(address: server.address, token: server.rootToken)) { client in
                let created = try #require(
                    try await client.write(
                        "auth/token/create",
                        data: ["ttl": "3s", "explicit_max_ttl": "8s", "renewable": true, "policies": ["default"]]
                    )?.authInfo)
                #expect(created.leaseDuration == 3)
                let watcher = LifetimeWatcher(client: client, auth: created)
                let started = ContinuousClock.now
                var renewals: [VaultAuth] = []
                var reason: LifetimeWatcher.DoneReason?
                let events = watcher.start()
                let timeout = Task {
                    try await Task.sleep(for: .seconds(10))
                    watcher.stop()
                }
                for await event in events {
                    switch event {
                    case .renewed(let auth): renewals.append(auth)
                    case .done(let why): reason = why
                    }
                }
                timeout.cancel()
                #expect(renewals.count >= 2, "\(renewals)")
                #expect(renewals.allSatisfy { $0.clientToken == created.clientToken })
                guard case .maxTTLReached? = reason else {
                    Issue.record("expected max TTL reached, got \(String(describing: reason))")
                    return
                }
                #expect(ContinuousClock.now - started < .seconds(10))
                // The token is still valid: the watcher stopped before it expired.
                #expect(
                    try await client.lookupSelf(token: created.clientToken)["id"]?.stringValue == created.clientToken)
            }
        }
    }

    @Test func azureLoginOptionsAreCheckedBeforeAnyRequest() throws {
        #expect(throws: AzureAuthLoginError.self) { try AzureAuthLogin(role: "") }
        #expect(throws: AzureAuthLoginError.self) {
            try AzureAuthLogin(role: "r", environment: ["AZURE_POD_IDENTITY_AUTHORITY_HOST": "not a url"])
        }
        let imds = try AzureAuthLogin(
            role: "r", environment: ["AZURE_POD_IDENTITY_AUTHORITY_HOST": "http://127.0.0.1:9/"])
        #expect(try imds.source == .imds(host: "http://127.0.0.1:9"))
        #expect(imds.mountPath == "azure")
        #expect(imds.resource == "https://management.azure.com/")
        let arc = try AzureAuthLogin(
            role: "r",
            environment: ["IDENTITY_ENDPOINT": "http://127.0.0.1:9/x", "IMDS_ENDPOINT": "http://127.0.0.1:9"])
        #expect(try arc.source == .arc(endpoint: "http://127.0.0.1:9/x"))
        let aks = try AzureAuthLogin(
            role: "r",
            environment: [
                "AZURE_FEDERATED_TOKEN_FILE": "/t", "AZURE_CLIENT_ID": "c", "AZURE_TENANT_ID": "t",
                "IDENTITY_ENDPOINT": "http://127.0.0.1:9/x", "IDENTITY_HEADER": "h",
            ])
        #expect(
            try aks.source
                == .workloadIdentity(
                    tokenFile: "/t", clientID: "c", tenantID: "t", authorityHost: "https://login.microsoftonline.com/"))
    }
}
