import CofferCore
import CofferFramework
import CofferTesting
import Foundation
import Testing

/// The entries written for real requests: Vault's shape, and every secret hashed (docs/audit.md).
@Suite struct AuditEntryTests {
    /// A harness with KV v2 at `secret/` and a file device at `file/`.
    static func withAuditedKV(
        options: [String: JSONValue] = [:], _ body: (CoreHarness, AuditLog) async throws -> Void
    ) async throws {
        try await TemporaryDirectory.with { directory in
            let harness = try await CoreHarness.make()
            #expect(await harness.request(.update, "sys/mounts/secret", ["type": "kv-v2"]).status == 204)
            let file = directory.appendingPathComponent("audit.log")
            try await harness.enableFileAudit(file: file, options: options)
            try await body(harness, AuditLog(url: file))
        }
    }

    static var timePattern: Regex<(Substring, Substring?)> { #/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$/# }

    @Test func kvWriteAndReadAreLoggedWithSecretsHashed() async throws {
        try await Self.withAuditedKV { harness, log in
            let write = await harness.request(
                .update, "secret/data/creds", ["data": ["password": "hunter2", "pin": 4321, "on": true]])
            #expect(write.status == 200)
            #expect(await harness.request(.read, "secret/data/creds").status == 200)
            let rootAccessor = try #require(
                await harness.request(.read, "auth/token/lookup-self").data["accessor"]?.stringValue)

            let text = log.text
            for secret in ["hunter2", harness.rootToken, rootAccessor] { #expect(!text.contains(secret)) }
            let hash = { (value: String) async in await harness.auditHash(value) ?? "missing" }

            let (request, response) = try log.pair("secret/data/creds")
            #expect(request["type"] == "request")
            #expect(response["type"] == "response")
            let time = try #require(request["time"]?.stringValue)
            #expect(time.wholeMatch(of: Self.timePattern) != nil, "\(time)")
            // Keys in the line: time first, then alphabetical, as newer Vault writes them.
            let firstLine = try #require(log.text.split(separator: "\n").last { $0.contains("\"type\":\"response\"") })
            #expect(firstLine.hasPrefix("{\"time\":"))

            let auth = try #require(request["auth"]?.objectValue)
            #expect(auth["client_token"] == .string(await hash(harness.rootToken)))
            #expect(auth["accessor"] == .string(await hash(rootAccessor)))
            #expect(auth["policies"] == ["root"])
            #expect(auth["token_policies"] == ["root"])
            #expect(auth["display_name"] == "root")
            #expect(auth["token_type"] == "service")
            #expect(auth["policy_results"]?["allowed"] == .bool(true))
            #expect(
                auth["policy_results"]?["granting_policies"] == [
                    ["name": "root", "namespace_id": "root", "type": "acl"]
                ])

            let fields = try #require(request["request"]?.objectValue)
            #expect(fields["id"] != nil)
            #expect(fields["operation"] == "read")
            #expect(fields["mount_point"] == "secret/")
            #expect(fields["mount_type"] == "kv")
            #expect(fields["mount_class"] == "secret")
            #expect((fields["mount_accessor"]?.stringValue ?? "").hasPrefix("kv_"))
            #expect(fields["namespace"] == ["id": "root"])
            #expect(fields["client_token"] == .string(await hash(harness.rootToken)))
            #expect(fields["client_token_accessor"] == .string(await hash(rootAccessor)))
            #expect(fields["remote_address"] == "127.0.0.1")

            // The read's response: secret values hashed, keys clear, backend numbers stay numbers.
            let data = try #require(response["response"]?["data"]?.objectValue)
            #expect(data["data"]?["password"] == .string(await hash("hunter2")))
            #expect(data["data"]?["pin"] == .int(4321))
            #expect(data["data"]?["on"] == .bool(true))
            #expect(data["metadata"]?["version"] == .int(1))
            #expect(response["response"]?["mount_point"] == "secret/")

            // The write's request data: strings AND request numbers hashed (Vault's json.Number), booleans clear.
            let writes = try log.entries().filter {
                $0["request"]?["path"] == "secret/data/creds" && $0["type"] == "request"
            }
            let written = try #require(writes.first?["request"]?["data"]?["data"]?.objectValue)
            #expect(writes.first?["request"]?["operation"] == "create")
            #expect(written["password"] == .string(await hash("hunter2")))
            #expect(written["pin"] == .string(await hash("4321")))
            #expect(written["on"] == .bool(true))
        }
    }

    @Test func aDeniedRequestIsLoggedWithItsError() async throws {
        try await Self.withAuditedKV { harness, log in
            let token = try #require(
                await harness.request(.update, "auth/token/create", ["policies": "nothing"]).clientToken)
            #expect(await harness.request(.read, "secret/data/creds", token: token).status == 403)
            let (request, response) = try log.pair("secret/data/creds")
            let denial = "1 error occurred:\n\t* permission denied\n\n"
            for entry in [request, response] {
                #expect(entry["error"] == .string(denial))
                #expect(entry["auth"]?["policy_results"]?["allowed"] == .bool(false))
                #expect(entry["auth"]?["policies"] == ["default", "nothing"])
            }
            #expect(!log.text.contains(token))
        }
    }

    @Test func anInvalidTokenIsLoggedHashed() async throws {
        try await Self.withAuditedKV { harness, log in
            let bogus = "hvs.not-a-real-token-\(UUID().uuidString)"
            #expect(await harness.request(.read, "secret/data/creds", token: bogus).status == 403)
            let (request, response) = try log.pair("secret/data/creds")
            #expect(request["request"]?["client_token"] == .string(await harness.auditHash(bogus) ?? ""))
            #expect(request["auth"]?["policy_results"]?["allowed"] == .bool(false))
            #expect(response["error"] != nil)
            #expect(!log.text.contains(bogus))
        }
    }

    @Test func aTokenCreateLogsTheIssuedTokenHashed() async throws {
        try await Self.withAuditedKV { harness, log in
            let created = await harness.request(.update, "auth/token/create", ["policies": "web", "ttl": 3600])
            let token = try #require(created.clientToken)
            let accessor = try #require(created.auth["accessor"]?.stringValue)
            let (request, response) = try log.pair("auth/token/create")
            let issued = try #require(response["response"]?["auth"]?.objectValue)
            #expect(issued["client_token"] == .string(await harness.auditHash(token) ?? ""))
            #expect(issued["accessor"] == .string(await harness.auditHash(accessor) ?? ""))
            #expect(issued["policies"] == ["default", "web"])
            #expect(issued["token_ttl"] == .int(3600))
            #expect(issued["display_name"] == "token")
            #expect(request["request"]?["data"]?["ttl"] == .string(await harness.auditHash("3600") ?? ""))
            #expect(request["request"]?["mount_class"] == "auth")
            #expect(!log.text.contains(token))
            #expect(!log.text.contains(accessor))
        }
    }

    @Test func nonHMACKeysTunedOnTheMountStayClear() async throws {
        try await Self.withAuditedKV { harness, log in
            let tuned = await harness.request(
                .update, "sys/mounts/secret/tune",
                ["audit_non_hmac_request_keys": ["user"], "audit_non_hmac_response_keys": "user,note"])
            #expect(tuned.status == 204)
            #expect(
                await harness.request(
                    .update, "secret/data/app", ["data": ["user": "alice", "note": "n", "password": "pw"]]
                ).status == 200)
            #expect(await harness.request(.read, "secret/data/app").status == 200)
            let (read, response) = try log.pair("secret/data/app")
            _ = read
            let data = try #require(response["response"]?["data"]?["data"]?.objectValue)
            #expect(data["user"] == "alice")
            #expect(data["note"] == "n")
            #expect(data["password"] == .string(await harness.auditHash("pw") ?? ""))
            let write = try #require(
                try log.entries().first { $0["request"]?["path"] == "secret/data/app" && $0["type"] == "request" })
            #expect(write["request"]?["data"]?["data"]?["user"] == "alice")
            #expect(write["request"]?["data"]?["data"]?["note"] == .string(await harness.auditHash("n") ?? ""))
        }
    }

    @Test func logRawWritesValuesInClearAndEscapesLikeGo() async throws {
        try await Self.withAuditedKV(options: ["log_raw": "true", "prefix": "coffer:"]) { harness, log in
            #expect(await harness.request(.update, "secret/data/raw", ["data": ["v": "<a&b>"]]).status == 200)
            let entries = try log.entries(prefix: "coffer:")
            let write = try #require(entries.first { $0["request"]?["path"] == "secret/data/raw" })
            #expect(write["request"]?["data"]?["data"]?["v"] == "<a&b>")
            #expect(write["auth"]?["client_token"] == .string(harness.rootToken))
            #expect(log.text.contains(#""v":"\u003ca\u0026b\u003e""#))
        }
    }

    @Test func hmacAccessorFalseLeavesAccessorsClear() async throws {
        try await Self.withAuditedKV(options: ["hmac_accessor": "false"]) { harness, log in
            let lookup = await harness.request(.read, "auth/token/lookup-self")
            let accessor = try #require(lookup.data["accessor"]?.stringValue)
            let (request, _) = try log.pair("auth/token/lookup-self")
            #expect(request["auth"]?["accessor"] == .string(accessor))
            #expect(request["request"]?["client_token_accessor"] == .string(accessor))
            #expect(request["auth"]?["client_token"] == .string(await harness.auditHash(harness.rootToken) ?? ""))
        }
    }

    @Test func elideListResponsesReplacesKeysWithTheirCount() async throws {
        try await Self.withAuditedKV(options: ["elide_list_responses": "true"]) { harness, log in
            for name in ["a", "b", "c"] {
                #expect(await harness.request(.update, "secret/data/\(name)", ["data": ["k": "v"]]).status == 200)
            }
            #expect(await harness.request(.list, "secret/metadata/").status == 200)
            let (_, response) = try log.pair("secret/metadata/")
            #expect(response["response"]?["data"]?["keys"] == .int(3))
        }
    }
}
