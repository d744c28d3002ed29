import CofferClient
import CofferTesting
import Foundation
import Testing

/// The `coffer` CLI end to end against a real `coffer server -dev` subprocess.
@Suite(.serialized) struct CLITests {
    @Test func kvPutThenGetFieldPrintsTheRawValue() async throws {
        try await DevServer.with { server in
            let put = try await server.cli("kv", "put", "secret/creds", "password=s3cr3t", "user=app")
            #expect(put.status == 0, "\(put.stderr)")
            #expect(
                put.stdout.hasPrefix(
                    "== Secret Path ==\nsecret/data/creds\n\n======= Metadata =======\nKey                Value\n"))
            #expect(put.stdout.contains("\nversion            1\n"))

            let field = try await server.cli("kv", "get", "-field=password", "secret/creds")
            #expect(field.status == 0)
            #expect(field.stdout == "s3cr3t")

            let table = try await server.cli("kv", "get", "secret/creds")
            #expect(table.status == 0)
            #expect(
                table.stdout.contains(
                    "====== Data ======\nKey         Value\n---         -----\npassword    s3cr3t\nuser        app\n"))
            #expect(table.stdout.contains("deletion_time      n/a"))

            let json = try await server.cli("kv", "get", "-format=json", "secret/creds").json()
            #expect(json["data"]?["data"]?["password"]?.stringValue == "s3cr3t")
            #expect(json["data"]?["metadata"]?["version"]?.intValue == 1)
        }
    }

    @Test func kvVersionsPatchDeleteUndeleteDestroy() async throws {
        try await DevServer.with { server in
            _ = try await server.cli("kv", "put", "secret/app", "a=1")
            let patch = try await server.cli("kv", "patch", "secret/app", "b=2")
            #expect(patch.status == 0, "\(patch.stderr)")
            #expect(patch.stdout.contains("version            2"))
            #expect(try await server.cli("kv", "get", "-field=b", "secret/app").stdout == "2")
            #expect(try await server.cli("kv", "get", "-version=1", "-field=a", "secret/app").stdout == "1")

            let cas = try await server.cli("kv", "put", "-cas=1", "secret/app", "c=3")
            #expect(cas.status == 2)
            #expect(cas.stderr.contains("check-and-set parameter did not match the current version"))

            let delete = try await server.cli("kv", "delete", "secret/app")
            #expect(delete.stdout == "Success! Data deleted (if it existed) at: secret/data/app\n")
            let deleted = try await server.cli("kv", "get", "secret/app")
            #expect(deleted.status == 0)
            #expect(!deleted.stdout.contains("== Data =="))
            #expect(!deleted.stdout.contains("deletion_time      n/a"))

            let undelete = try await server.cli("kv", "undelete", "-versions=2", "secret/app")
            #expect(undelete.stdout == "Success! Data written to: secret/undelete/app\n")
            #expect(try await server.cli("kv", "get", "-field=b", "secret/app").stdout == "2")

            let destroy = try await server.cli("kv", "destroy", "-versions=1", "secret/app")
            #expect(destroy.status == 0, "\(destroy.stderr)")
            let metadata = try await server.cli("kv", "metadata", "get", "secret/app")
            #expect(metadata.stdout.hasPrefix("== Metadata Path ==\nsecret/metadata/app\n"))
            #expect(metadata.stdout.contains("current_version         2"))
            #expect(metadata.stdout.contains("====== Version 1 ======"))
            let noVersions = try await server.cli("kv", "undelete", "secret/app")
            #expect(noVersions.status == 1)
        }
    }

    @Test func kvOnAVersion2MountEnabledWithTheVersionFlag() async throws {
        try await DevServer.with { server in
            let enable = try await server.cli(
                "secrets", "enable", "-path=team", "-version=2", "-description=team kv", "kv")
            #expect(enable.status == 0, "\(enable.stderr)")
            #expect(enable.stdout == "Success! Enabled the kv secrets engine at: team/\n")
            let mount = try await server.cli("read", "-format=json", "sys/mounts/team").json()
            #expect(mount["data"]?["options"]?["version"]?.stringValue == "2")

            let put = try await server.cli("kv", "put", "team/app/db", "pw=x")
            #expect(put.stdout.contains("team/data/app/db"))
            #expect(try await server.cli("kv", "get", "-mount=team", "-field=pw", "app/db").stdout == "x")
            let list = try await server.cli("secrets", "list")
            #expect(list.stdout.contains("team/"))
            #expect(list.stdout.hasPrefix("Path          Type         Accessor"))

            let v1 = try await server.cli("secrets", "enable", "-path=legacy", "kv")
            #expect(v1.status == 0)
            _ = try await server.cli("kv", "put", "legacy/x", "a=b")
            #expect(try await server.cli("read", "-field=a", "legacy/x").stdout == "b")
            let disable = try await server.cli("secrets", "disable", "legacy")
            #expect(disable.stdout == "Success! Disabled the secrets engine (if it existed) at: legacy/\n")
        }
    }

    @Test func policyWriteReadDelete() async throws {
        try await DevServer.with { server in
            let text = "path \"secret/data/app/*\" {\n  capabilities = [\"read\"]\n}\n"
            let file = server.home + "/app.hcl"
            try text.write(toFile: file, atomically: true, encoding: .utf8)
            let write = try await server.cli("policy", "write", "app", file)
            #expect(write.stdout == "Success! Uploaded policy: app\n")
            let fromStdin = try await server.run(["policy", "write", "Web", "-"], token: server.rootToken, stdin: text)
            #expect(fromStdin.stdout == "Success! Uploaded policy: web\n")

            let read = try await server.cli("policy", "read", "app")
            #expect(read.stdout == text)
            let json = try await server.cli("policy", "read", "-format=json", "web").json()
            #expect(json["data"]?["policy"]?.stringValue == text)

            #expect(try await server.cli("policy", "delete", "web").stdout == "Success! Deleted policy: web\n")
            let gone = try await server.cli("policy", "read", "web")
            #expect(gone.status == 2)
            #expect(gone.stderr == "No policy named: web\n")

            let root = try await server.cli("policy", "write", "root", file)
            #expect(root.status == 2)
            #expect(root.stderr.contains("Code: 400"))
        }
    }

    @Test func tokenCreateLookupRenewRevoke() async throws {
        try await DevServer.with { server in
            _ = try await server.run(
                ["policy", "write", "app", "-"], token: server.rootToken,
                stdin: "path \"x\" { capabilities = [\"read\"] }")
            let created = try await server.run(
                ["token", "create", "-policy=app", "-ttl=1h", "-display-name=ci", "-format=json"],
                token: server.rootToken, stdin: nil)
            #expect(created.status == 0, "\(created.stderr)")
            // Go's struct order: envelope fields, then auth fields starting with client_token.
            let order = ["\"request_id\"", "\"data\"", "\"auth\"", "\"client_token\"", "\"accessor\"", "\"policies\""]
            let positions = order.compactMap { created.stdout.range(of: $0)?.lowerBound }
            #expect(positions.count == order.count && positions == positions.sorted())
            let auth = try created.json()["auth"]
            let token = try #require(auth?["client_token"]?.stringValue)
            #expect(auth?["policies"]?.stringArray == ["app", "default"])
            #expect(auth?["lease_duration"]?.intValue == 3600)

            let table = try await server.cli("token", "create", "-policy=app", "-period=30m")
            #expect(table.stdout.contains("token_duration       30m"))
            #expect(table.stdout.contains("token_policies       [\"app\" \"default\"]"))

            let lookup = try await server.cli("token", "lookup", "-format=json", token).json()
            #expect(lookup["data"]?["display_name"]?.stringValue == "token-ci")
            let own = try await server.run(["token", "lookup", "-field=policies"], token: token)
            #expect(own.stdout == "[app default]")

            let renewed = try await server.cli("token", "renew", "-increment=10m", token)
            #expect(renewed.stdout.contains("token_duration       10m"))

            #expect(try await server.cli("token", "revoke", token).stdout == "Success! Revoked token (if it existed)\n")
            let after = try await server.cli("token", "lookup", token)
            #expect(after.status == 2)
            #expect(
                after.stderr.hasPrefix(
                    "Error looking up token: Error making API request.\n\nURL: POST \(server.address)/v1/auth/token/lookup\nCode: 403."
                ))
            let usage = try await server.cli("token", "revoke", "-self", token)
            #expect(usage.status == 1)
        }
    }

    @Test func authListEnableAndTune() async throws {
        try await DevServer.with { server in
            let list = try await server.cli("auth", "list")
            #expect(list.status == 0)
            #expect(list.stdout.hasPrefix("Path      Type     Accessor"))
            #expect(list.stdout.contains("token/    token    auth_token_"))
            let json = try await server.cli("auth", "list", "-format=json").json()
            #expect(json["token/"]?["type"]?.stringValue == "token")

            let unknown = try await server.cli("auth", "enable", "-path=nowhere", "no-such-method")
            #expect(unknown.status == 2)
            #expect(unknown.stderr.contains("Error enabling no-such-method auth: Error making API request."))

            let tune = try await server.cli("auth", "tune", "-default-lease-ttl=1h", "token")
            #expect(tune.stdout == "Success! Tuned the auth method at: token/\n")
            #expect(try await server.cli("read", "-field=default_lease_ttl", "sys/auth/token/tune").stdout == "3600")
        }
    }

    @Test func genericReadWriteDeleteAndStdinJSON() async throws {
        try await DevServer.with { server in
            let write = try await server.run(
                ["write", "secret/data/raw", "-"], token: server.rootToken, stdin: #"{"data":{"k":"v"}}"#)
            #expect(write.status == 0, "\(write.stderr)")
            #expect(write.stdout.contains("version            1"))
            let valueFromStdin = try await server.run(
                ["write", "secret/data/raw2", "data=-"], token: server.rootToken, stdin: "plain")
            #expect(valueFromStdin.status == 2)
            #expect(
                valueFromStdin.stderr.hasPrefix("Error writing data to secret/data/raw2: Error making API request."))
            #expect(try await server.cli("read", "-field=data", "secret/data/raw").stdout == "map[k:v]")

            let policyFile = server.home + "/p.hcl"
            try "path \"x\" { capabilities = [\"read\"] }".write(toFile: policyFile, atomically: true, encoding: .utf8)
            let fromFile = try await server.cli("write", "sys/policies/acl/fromfile", "policy=@\(policyFile)")
            #expect(fromFile.stdout == "Success! Data written to: sys/policies/acl/fromfile\n")

            let delete = try await server.cli("delete", "secret/metadata/raw")
            #expect(delete.stdout == "Success! Data deleted (if it existed) at: secret/metadata/raw\n")
            let missing = try await server.cli("read", "secret/data/raw")
            #expect(missing.status == 2)
            #expect(missing.stderr == "No value found at secret/data/raw\n")
        }
    }

    @Test func exitCodesFollowVault() async throws {
        try await DevServer.with { server in
            #expect(try await server.cli("kv", "get").status == 1)
            #expect(try await server.cli("kv", "get", "-no-such-flag", "secret/x").status == 1)
            #expect(try await server.cli("kv", "get", "-h").status == 0)
            #expect(try await server.cli("write", "secret/data/x").status == 1)
            #expect(try await server.cli("read", "-format=yaml", "secret/data/x").status == 1)
            let missing = try await server.cli("kv", "get", "secret/none")
            #expect(missing.status == 2)
            #expect(missing.stderr == "No value found at secret/data/none\n")
            let denied = try await server.run(["kv", "get", "secret/none"], token: "not-a-token")
            #expect(denied.status == 2)
            #expect(denied.stderr.contains("Code: 403"))
            #expect(denied.stderr.contains("permission denied"))
            // Raw (non-envelope) bodies are read as data, like the Go client does.
            #expect(try await server.cli("read", "-field=initialized", "sys/health").stdout == "true")
            let status = try await server.cli("status")
            #expect(status.status == 0)
            #expect(status.stdout.contains("Sealed          false"))
            #expect(try await server.cli("status", "-format=json").json()["sealed"]?.boolValue == false)
        }
    }

    @Test func loginStoresTheTokenInTheHelperFile() async throws {
        try await DevServer.with { server in
            let tokenFile = server.home + "/.vault-token"
            try? FileManager.default.removeItem(atPath: tokenFile)
            let created = try await server.cli("token", "create", "-policy=default", "-field=token")
            let token = created.stdout

            let bad = try await server.run(["login", "bogus"], token: nil)
            #expect(bad.status == 2)
            #expect(bad.stderr.hasPrefix("Error authenticating: error looking up token: Error making API request."))
            #expect(!FileManager.default.fileExists(atPath: tokenFile))

            let login = try await server.run(["login", token], token: nil)
            #expect(login.status == 0, "\(login.stderr)")
            #expect(login.stdout.hasPrefix("Success! You are now authenticated."))
            #expect(login.stdout.contains("token                \(token)\n"))
            #expect(try String(contentsOfFile: tokenFile, encoding: .utf8) == token)
            let mode = try FileManager.default.attributesOfItem(atPath: tokenFile)[.posixPermissions] as? Int
            #expect(mode == 0o600)

            // Later commands without VAULT_TOKEN use the stored token.
            #expect(try await server.run(["token", "lookup", "-field=id"], token: nil).stdout == token)
            let unknownMethod = try await server.run(["login", "-method=ldap", "role=x"], token: nil)
            #expect(unknownMethod.status == 1)
        }
    }

    /// `LIST` is how `vault list`, `kv list` and `policy list` ask.
    @Test func listCommands() async throws {
        try await DevServer.with { server in
            _ = try await server.cli("kv", "put", "secret/team/a", "x=1")
            _ = try await server.cli("kv", "put", "secret/b", "x=1")
            let kvList = try await server.cli("kv", "list", "secret/")
            #expect(kvList.stdout == "Keys\n----\nb\nteam/\n", "\(kvList.stderr)")
            let list = try await server.cli("list", "-format=json", "secret/metadata/team")
            #expect(try list.json().stringArray == ["a"], "\(list.stderr)")
            let policies = try await server.cli("policy", "list")
            #expect(policies.stdout == "default\nroot\n", "\(policies.stderr)")
            let empty = try await server.cli("kv", "list", "secret/nothing-here")
            #expect(empty.status == 2)
        }
    }
}
