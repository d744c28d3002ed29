import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Testing

/// `sys/remount`: a mount moves with its data; Vault's errors for bad, protected, missing and occupied paths.
@Suite(.serialized) struct RemountTests {
    @Test func secretsMountMovesWithItsDataAndReportsSuccess() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/secret", ["type": "kv-v2"]).status == 204)
        #expect(await harness.request(.update, "secret/data/app", ["data": ["pw": "s3cr3t"]]).status == 200)
        let before = await harness.request(.read, "sys/mounts/secret").data
        let moved = await harness.request(.update, "sys/remount", ["from": "secret", "to": "kv2"])
        #expect(moved.status == 200)
        #expect(moved.envelope?.injectDataAtTopLevel == true)
        #expect(
            moved.warnings == [
                "Mount move has been queued. Progress will be reported in Vault's server log, tagged with the returned migration_id"
            ])
        let id = try #require(moved.data["migration_id"]?.stringValue)
        let status = await harness.request(.read, "sys/remount/status/\(id)")
        #expect(status.data["migration_id"] == .string(id))
        #expect(
            status.data["migration_info"]
                == .object(["source_mount": "secret/", "target_mount": "kv2/", "status": "success"]))
        #expect(await harness.request(.read, "sys/remount/status/nope").status == 404)
        let read = await harness.request(.read, "kv2/data/app")
        #expect(read.data["data"]?.objectValue?["pw"] == "s3cr3t")
        #expect(await harness.request(.read, "secret/data/app").status == 404)
        let after = await harness.request(.read, "sys/mounts/kv2").data
        #expect(after["uuid"] == before["uuid"] && after["accessor"] == before["accessor"])
        let mounts = await harness.request(.read, "sys/mounts").data
        #expect(mounts["secret/"] == nil && mounts["kv2/"] != nil)
    }

    @Test func movedMountSurvivesASealAndUnseal() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/a", ["type": "kv-v2"]).status == 204)
        #expect(await harness.request(.update, "a/data/x", ["data": ["k": "v"]]).status == 200)
        #expect(await harness.request(.update, "sys/remount", ["from": "a/", "to": "/b/c"]).status == 200)
        await harness.core.seal()
        try await harness.core.unseal(sealKey: harness.sealKey)
        #expect(await harness.request(.read, "b/c/data/x").data["data"]?.objectValue?["k"] == "v")
    }

    @Test func authMountMovesAndItsTokensAreRevoked() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/auth/test", ["type": "test-auth"]).status == 204)
        let token = try #require(
            await harness.request(.update, "auth/test/login", ["user": "ann"], token: "").clientToken)
        let accessor = await harness.request(.read, "sys/auth/test").data["accessor"]
        #expect(await harness.request(.update, "sys/remount", ["from": "auth/test", "to": "auth/moved"]).status == 200)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: token).status == 403)
        #expect(await harness.request(.read, "sys/auth/moved").data["accessor"] == accessor)
        let login = await harness.request(.update, "auth/moved/login", ["user": "ann"], token: "")
        let fresh = try #require(login.clientToken)
        #expect(await harness.request(.read, "auth/token/lookup-self", token: fresh).data["path"] == "auth/moved/login")
        #expect(await harness.request(.update, "auth/test/login", ["user": "ann"], token: "").status == 404)
    }

    @Test func errorsAreVaultsAndChangeNothing() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/a", ["type": "kv-v2"]).status == 204)
        #expect(await harness.request(.update, "sys/mounts/b", ["type": "kv-v2"]).status == 204)
        #expect(await harness.request(.update, "sys/auth/test", ["type": "test-auth"]).status == 204)
        let cases: [([String: JSONValue], String)] = [
            (["from": "a"], "both 'from' and 'to' path must be specified as a string"),
            (["from": "a ", "to": "c"], "'from' path cannot contain trailing whitespace"),
            (["from": "a", "to": " c"], "'to' path cannot contain trailing whitespace"),
            (
                ["from": "a", "to": "c//d"],
                "invalid destination mount: path 'c//d/' does not match cleaned path 'c/d/'"
            ),
            (["from": "auth/test", "to": "c"], "cannot remount auth mount to non-auth mount \"c/\""),
            (["from": "auth/token", "to": "auth/t2"], "cannot remount \"auth/token/\""),
            (["from": "auth/test", "to": "auth/token2"], "cannot remount to destination \"auth/token2/\""),
            (["from": "sys", "to": "c"], "cannot remount \"sys/\""),
            (["from": "a", "to": "identity/x"], "cannot remount to destination \"identity/x/\""),
            (["from": "a", "to": "auth/x"], "cannot remount to destination \"auth/x/\""),
            (["from": "nope", "to": "c"], "no matching mount at \"nope/\""),
            (["from": "a", "to": "b"], "path already in use at \"b/\""),
            (["from": "a", "to": "a"], "path already in use at \"a/\""),
            (["from": "a", "to": "b/under"], "path already in use at \"b/\""),
        ]
        for (data, message) in cases {
            let response = await harness.request(.update, "sys/remount", data)
            #expect(response.status == 400, "\(data)")
            #expect(response.errors == [message], "\(data)")
        }
        let mounts = await harness.request(.read, "sys/mounts").data
        #expect(Set(mounts.keys) == ["sys/", "cubbyhole/", "identity/", "a/", "b/"])
    }

    @Test func remountNeedsSudo() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/a", ["type": "kv-v2"]).status == 204)
        let policy = #"path "sys/remount" { capabilities = ["update"] }"#
        #expect(await harness.request(.update, "sys/policies/acl/mover", ["policy": .string(policy)]).status == 204)
        let token = try #require(await harness.request(.update, "auth/token/create", ["policies": "mover"]).clientToken)
        #expect(await harness.request(.update, "sys/remount", ["from": "a", "to": "c"], token: token).status == 403)
    }
}
