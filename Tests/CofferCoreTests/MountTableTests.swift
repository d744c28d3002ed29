import CofferCore
import CofferFramework
import CofferTesting
import Testing

@Suite struct MountTableTests {
    @Test func freshServerHasBuiltinMounts() async throws {
        let harness = try await CoreHarness.make()
        let mounts = await harness.request(.read, "sys/mounts")
        #expect(Set(mounts.data.keys) == ["sys/", "cubbyhole/", "identity/"])
        #expect(mounts.data["cubbyhole/"]?.objectValue?["local"] == .bool(true))
        let auth = await harness.request(.read, "sys/auth")
        #expect(auth.data["token/"]?.objectValue?["type"] == "token")
        #expect(auth.data["token/"]?.objectValue?["description"] == "token based credentials")
        let accessor = try #require(auth.data["token/"]?.objectValue?["accessor"]?.stringValue)
        #expect(accessor.hasPrefix("auth_token_") && accessor.count == "auth_token_".count + 8)
    }

    @Test func kvVersionOptionsAreStringsAndAliasesMap() async throws {
        let harness = try await CoreHarness.make()
        #expect(
            await harness.request(
                .update, "sys/mounts/team-kv",
                ["type": "kv", "options": ["version": 2], "description": .null, "config": .null]
            ).status == 204)
        #expect(await harness.request(.update, "sys/mounts/v2", ["type": "kv-v2"]).status == 204)
        let mounts = await harness.request(.read, "sys/mounts")
        #expect(mounts.data["team-kv/"]?.objectValue?["options"] == .object(["version": "2"]))
        #expect(mounts.data["v2/"]?.objectValue?["type"] == "kv")
        #expect(mounts.data["v2/"]?.objectValue?["options"] == .object(["version": "2"]))
        let accessor = mounts.data["v2/"]?.objectValue?["accessor"]?.stringValue ?? ""
        #expect(accessor.hasPrefix("kv_"))
    }

    @Test func mountErrorsAreVaultsAndChangeNothing() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/a", ["type": "kv-v2"]).status == 204)
        let cases: [(String, [String: JSONValue], String)] = [
            ("sys/mounts/a", ["type": "kv-v2"], "path is already in use at a/"),
            ("sys/mounts/a/b", ["type": "kv-v2"], "cannot mount under existing mount \"a/\""),
            ("sys/mounts/x", [:], "backend type must be specified as a string"),
            ("sys/mounts/x", ["type": "nope"], "plugin not found in the catalog: nope"),
            ("sys/auth/x", ["type": "kv"], "plugin not found in the catalog: kv"),
            (
                "sys/mounts/x", ["type": "kv-v2", "config": ["default_lease_ttl": "2h", "max_lease_ttl": "1h"]],
                "given default lease TTL greater than given max lease TTL"
            ),
        ]
        for (path, data, message) in cases {
            let response = await harness.request(.update, path, data)
            #expect(response.status == 400, "\(path)")
            #expect(response.errors == [message], "\(path)")
        }
        let mounts = await harness.request(.read, "sys/mounts")
        #expect(Set(mounts.data.keys) == ["sys/", "cubbyhole/", "identity/", "a/"])
        #expect(await harness.request(.delete, "sys/mounts/sys").errors == ["cannot unmount \"sys/\""])
        #expect(
            await harness.request(.delete, "sys/auth/token").errors == ["token credential backend cannot be disabled"])
        #expect(await harness.request(.delete, "sys/mounts/never-mounted").status == 204)
    }

    @Test func disablingAMountDeletesItsData() async throws {
        let harness = try await CoreHarness.make()
        #expect(await harness.request(.update, "sys/mounts/k", ["type": "kv-v2"]).status == 204)
        #expect(await harness.request(.update, "k/data/x", ["data": ["a": "b"]]).status == 200)
        #expect(await harness.request(.delete, "sys/mounts/k").status == 204)
        #expect(await harness.request(.read, "k/data/x").status == 404)
        #expect(await harness.request(.update, "sys/mounts/k", ["type": "kv-v2"]).status == 204)
        #expect(await harness.request(.read, "k/data/x").status == 404)
    }

    @Test func routingErrors() async throws {
        let harness = try await CoreHarness.make()
        let none = await harness.request(.read, "nothing/here")
        #expect(none.status == 404)
        #expect(none.errors == ["no handler for route \"nothing/here\". route entry not found."])
        #expect(
            await harness.request(.update, "cubbyhole/dir/", ["a": "b"]).errors == [
                "cannot write to a path ending in '/'"
            ])
        #expect(await harness.request(.read, "secret/../sys/mounts").status == 400)
        let unsupported = await harness.request(.read, "sys/nonexistent-endpoint")
        #expect(unsupported.status == 404)
        #expect(unsupported.error == LogicalError(status: 404, messages: ["unsupported path"], isMultiError: true))
    }

    @Test func policyListingAndProtectedPolicies() async throws {
        let harness = try await CoreHarness.make()
        let written = await harness.request(
            .update, "sys/policy/MixedCase", ["policy": #"path "a/*" { capabilities = ["read"] }"#])
        #expect(written.envelope?.warnings == ["policy name was converted to mixedcase"])
        let list = await harness.request(.read, "sys/policy")
        #expect(list.data["policies"] == .strings(["default", "mixedcase", "root"]))
        #expect(
            await harness.request(.update, "sys/policy/root", ["policy": "x"]).errors == [
                "cannot update \"root\" policy"
            ])
        #expect(await harness.request(.delete, "sys/policy/default").errors == ["cannot delete default policy"])
        let bad = await harness.request(
            .update, "sys/policies/acl/bad", ["policy": "path \"x\" { capabilities = [\"fly\"] }"])
        #expect(bad.status == 400)
        #expect(bad.errors?.first?.hasPrefix("failed to parse policy") == true)
        #expect(await harness.request(.read, "sys/policies/acl/bad").status == 404)
        let empty = await harness.request(.update, "sys/policies/acl/e", [:])
        #expect(empty.errors == ["'policy' parameter not supplied or empty"])
    }
}
