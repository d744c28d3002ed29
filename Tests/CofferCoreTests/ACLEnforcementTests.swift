import CofferCore
import CofferFramework
import CofferTesting
import Testing

@Suite struct ACLEnforcementTests {
    let appPolicy = #"""
        path "secret/data/app/*" { capabilities = ["read", "create", "update"] }
        path "secret/metadata/app/*" { capabilities = ["list"] }
        """#

    @Test func tokenReadsWhatItsPolicyAllowsAndIsDeniedElsewhere() async throws {
        let harness = try await CoreHarness.make()
        #expect(
            await harness.request(.update, "sys/mounts/secret", ["type": "kv", "options": ["version": 2]]).status == 204
        )
        #expect(await harness.request(.update, "sys/policies/acl/app", ["policy": .string(appPolicy)]).status == 204)
        #expect(await harness.request(.update, "secret/data/app/db", ["data": ["password": "s3cr3t"]]).status == 200)
        #expect(await harness.request(.update, "secret/data/other", ["data": ["x": "y"]]).status == 200)
        let token = try #require(await harness.request(.update, "auth/token/create", ["policies": "app"]).clientToken)
        let read = await harness.request(.read, "secret/data/app/db", token: token)
        #expect(read.status == 200)
        #expect(read.data["data"]?.objectValue?["password"] == "s3cr3t")
        let denied = await harness.request(.read, "secret/data/other", token: token)
        #expect(denied.status == 403)
        #expect(denied.error == LogicalError(status: 403, messages: ["permission denied"], isMultiError: true))
        // Denied requests never reveal existence.
        #expect(await harness.request(.read, "secret/data/missing", token: token).status == 403)
        // A new key needs create, an existing one update: both granted here.
        #expect(await harness.request(.update, "secret/data/app/new", ["data": ["a": "b"]], token: token).status == 200)
    }

    @Test func createAndUpdateAreDistinctCapabilities() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/kv", ["type": "kv-v2"]).status == 204)
        #expect(
            await harness.request(
                .update, "sys/policy/creator", ["policy": #"path "kv/data/*" { capabilities = ["create"] }"#]
            ).status == 204)
        let token = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "creator"]).clientToken)
        #expect(await harness.request(.update, "kv/data/fresh", ["data": ["a": "1"]], token: token).status == 200)
        #expect(await harness.request(.update, "kv/data/fresh", ["data": ["a": "2"]], token: token).status == 403)
    }

    @Test func rootProtectedPathsNeedSudo() async throws {
        let harness = try await CoreHarness.make()
        #expect(
            await harness.request(
                .update, "sys/policy/mounter", ["policy": #"path "sys/auth/*" { capabilities = ["update", "read"] }"#]
            ).status == 204)
        #expect(
            await harness.request(
                .update, "sys/policy/sudoer",
                ["policy": #"path "sys/auth/*" { capabilities = ["update", "read", "sudo"] }"#]
            ).status == 204)
        let plain = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "mounter"]).clientToken)
        let sudo = try #require(await harness.request(.update, "auth/token/create", ["policies": "sudoer"]).clientToken)
        #expect(await harness.request(.update, "sys/auth/t1", ["type": "test-auth"], token: plain).status == 403)
        #expect(await harness.request(.update, "sys/auth/t1", ["type": "test-auth"], token: sudo).status == 204)
    }

    @Test func capabilitiesSelfAnswersPerPath() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/policy/app", ["policy": .string(appPolicy)]).status == 204)
        let token = try #require(await harness.request(.update, "auth/token/create", ["policies": "app"]).clientToken)
        let answer = await harness.request(
            .update, "sys/capabilities-self", ["paths": ["secret/data/app/x", "sys/mounts"]], token: token)
        #expect(answer.data["secret/data/app/x"] == .strings(["create", "read", "update"]))
        #expect(answer.data["sys/mounts"] == .strings(["deny"]))
        let root = await harness.request(.update, "sys/capabilities-self", ["paths": "secret/data/app/x"])
        #expect(root.data["capabilities"] == .strings(["root"]))
        #expect(root.envelope?.injectDataAtTopLevel == true)
    }

    @Test func policyChangesApplyToExistingTokensOnTheirNextRequest() async throws {
        let harness = try await CoreHarness.make()
        #expect(
            await harness.request(
                .update, "sys/policy/p", ["policy": #"path "sys/mounts" { capabilities = ["read"] }"#]
            ).status == 204)
        let token = try #require(await harness.request(.update, "auth/token/create", ["policies": "p"]).clientToken)
        #expect(await harness.request(.read, "sys/mounts", token: token).status == 200)
        #expect(
            await harness.request(.update, "sys/policy/p", ["policy": #"path "sys/auth" { capabilities = ["read"] }"#])
                .status == 204)
        #expect(await harness.request(.read, "sys/mounts", token: token).status == 403)
    }

    @Test func kvPreflightReportsTheMountOrA403() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/secret", ["type": "kv-v2"]).status == 204)
        #expect(await harness.request(.update, "sys/policy/app", ["policy": .string(appPolicy)]).status == 204)
        let token = try #require(await harness.request(.update, "auth/token/create", ["policies": "app"]).clientToken)
        let mount = await harness.request(.read, "sys/internal/ui/mounts/secret/app/db", token: token)
        #expect(mount.status == 200)
        #expect(mount.data["path"] == "secret/")
        #expect(mount.data["options"] == .object(["version": "2"]))
        let denied = await harness.request(.read, "sys/internal/ui/mounts/cubbyhole/x", token: "hvs.invalid")
        #expect(denied.status == 403)
        #expect(await harness.request(.update, "sys/mounts/other", ["type": "kv-v2"]).status == 204)
        let noGrant = await harness.request(.read, "sys/internal/ui/mounts/other/x", token: token)
        #expect(noGrant.errors?.first?.hasPrefix("preflight capability check returned 403") == true)
    }
}
