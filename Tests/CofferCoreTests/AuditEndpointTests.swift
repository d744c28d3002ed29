import CofferCore
import CofferFramework
import CofferTesting
import Crypto
import Foundation
import Testing

/// `sys/audit`, `sys/audit/<path>` and `sys/audit-hash/<path>`: shapes, Vault's errors, persistence and salts.
@Suite struct AuditEndpointTests {
    @Test func listingWithNoDevicesIsAnEmptyObject() async throws {
        let harness = try await CoreHarness.make()
        let listing = await harness.request(.read, "sys/audit")
        #expect(listing.status == 200)
        #expect(listing.envelope?.data == [:])
    }

    @Test func enableListsTheDeviceAndDisableRemovesIt() async throws {
        try await TemporaryDirectory.with { directory in
            let harness = try await CoreHarness.make()
            let file = directory.appendingPathComponent("logs/audit.log")
            let enabled = await harness.request(
                .update, "sys/audit/main",
                [
                    "type": "file", "description": "main log", "local": true,
                    "options": ["file_path": .string(file.path), "hmac_accessor": false, "mode": "0640"],
                ])
            #expect(enabled.status == 204, "\(enabled.text)")
            let listing = await harness.request(.read, "sys/audit")
            let device = try #require(listing.data["main/"]?.objectValue)
            #expect(device["type"] == "file")
            #expect(device["description"] == "main log")
            #expect(device["local"] == .bool(true))
            #expect(device["path"] == "main/")
            // Non-strings are converted as Vault's weak decoding does: false → "0".
            #expect(device["options"] == ["file_path": .string(file.path), "hmac_accessor": "0", "mode": "0640"])
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? Int) == 0o640)
            #expect(await harness.request(.delete, "sys/audit/main").status == 204)
            #expect(await harness.request(.delete, "sys/audit/never-enabled").status == 204)
            #expect(await harness.request(.read, "sys/audit").envelope?.data == [:])
        }
    }

    @Test func enableErrorsAreVaults() async throws {
        try await TemporaryDirectory.with { directory in
            let harness = try await CoreHarness.make()
            let file = directory.appendingPathComponent("a.log")
            try await harness.enableFileAudit("file", file: file)
            let blocker = directory.appendingPathComponent("plain-file")
            try Data("x".utf8).write(to: blocker)
            let cases: [(String, [String: JSONValue], String)] = [
                ("file", ["type": "file", "options": ["file_path": .string(file.path)]], "path already in use"),
                ("file/inner", ["type": "file", "options": ["file_path": "discard"]], "path already in use"),
                ("other", ["type": "syslogish"], "unknown backend type: \"syslogish\""),
                ("other", ["type": "file", "options": [:]], "file_path is required"),
                (
                    "other", ["type": "file", "options": ["file_path": "discard", "format": "jsonx"]],
                    "unknown format type \"jsonx\""
                ),
                (
                    "other", ["type": "file", "options": ["file_path": "discard", "log_raw": "maybe"]],
                    "strconv.ParseBool: parsing \"maybe\": invalid syntax"
                ),
                ("other", ["type": "socket", "options": [:]], "address is required"),
            ]
            for (path, body, message) in cases {
                let response = await harness.request(.update, "sys/audit/\(path)", body)
                #expect(response.status == 400, "\(path)")
                #expect(response.errors == [message], "\(path)")
            }
            let unopenable = await harness.request(
                .update, "sys/audit/other",
                ["type": "file", "options": ["file_path": .string(blocker.path + "/x/audit.log")]])
            #expect(unopenable.status == 400)
            let message = (unopenable.errors ?? []).first ?? ""
            #expect(
                message.hasPrefix("sanity check failed; unable to open \"\(blocker.path)/x/audit.log\" for writing: "))
            // The failed enables left only the first device.
            #expect(Set(await harness.request(.read, "sys/audit").data.keys) == ["file/"])
        }
    }

    @Test func optionsMayBeAListOfKeyValueStrings() async throws {
        let harness = try await CoreHarness.make()
        let enabled = await harness.request(
            .update, "sys/audit/d", ["type": "file", "options": ["file_path=discard", "prefix=a=b"]])
        #expect(enabled.status == 204, "\(enabled.text)")
        let options = await harness.request(.read, "sys/audit").data["d/"]?["options"]
        #expect(options == ["file_path": "discard", "prefix": "a=b"])
    }

    @Test func enableWritesATestEntryUnlessSkipped() async throws {
        try await TemporaryDirectory.with { directory in
            let harness = try await CoreHarness.make()
            let tested = directory.appendingPathComponent("tested.log")
            try await harness.enableFileAudit("tested", file: tested)
            let first = try #require(try AuditLog(url: tested).entries().first)
            #expect(first["type"] == "request")
            #expect(first["auth"] == ["token_type": "default"])
            #expect(first["request"]?["path"] == "sys/audit/test")
            #expect(first["request"]?["operation"] == "update")
            #expect(first["request"]?["namespace"] == ["id": "root"])
            let skipped = directory.appendingPathComponent("skipped.log")
            try await harness.enableFileAudit("skipped", file: skipped, options: ["skip_test": "true"])
            // No test entry; the only line is the response entry of the enable request itself, which the new device
            // already receives.
            let entries = try AuditLog(url: skipped).entries()
            #expect(!entries.contains { $0["request"]?["path"] == "sys/audit/test" })
            #expect(entries.map { $0["type"] } == ["response"])
        }
    }

    @Test func auditHashErrorsAndSaltLifecycle() async throws {
        try await TemporaryDirectory.with { directory in
            let harness = try await CoreHarness.make()
            let file = directory.appendingPathComponent("a.log")
            try await harness.enableFileAudit("file", file: file)
            let unknown = await harness.request(.update, "sys/audit-hash/nope", ["input": "x"])
            #expect(unknown.status == 400)
            #expect(unknown.errors == ["unknown audit backend \"nope/\""])
            let empty = await harness.request(.update, "sys/audit-hash/file", ["input": ""])
            #expect(empty.errors == ["the \"input\" parameter is empty"])
            let first = try #require(await harness.auditHash("secret value"))
            #expect(first.hasPrefix("hmac-sha256:") && first.count == "hmac-sha256:".count + 64)
            #expect(await harness.auditHash("secret value") == first)
            #expect(await harness.request(.update, "sys/audit-hash/file", ["input": "x"]).data.keys.contains("hash"))
            // The salt survives a seal and unseal…
            await harness.core.seal()
            try await harness.core.unseal(sealKey: harness.sealKey)
            #expect(await harness.auditHash("secret value") == first)
            // …and the reloaded device records requests again.
            #expect(await harness.request(.read, "sys/auth").status == 200)
            #expect(try AuditLog(url: file).pair("sys/auth").response["type"] == "response")
            // …but a device enabled again at the same path gets a new one.
            #expect(await harness.request(.delete, "sys/audit/file").status == 204)
            try await harness.enableFileAudit("file", file: file)
            let second = try #require(await harness.auditHash("secret value"))
            #expect(second != first)
        }
    }

    @Test func hashIsHMACSHA256KeyedWithTheStoredSalt() async throws {
        let harness = try await CoreHarness.make()
        #expect(
            await harness.request(
                .update, "sys/audit/d", ["type": "file", "options": ["file_path": "discard"]]
            ).status == 204)
        let saltKeys = try await harness.core.barrier.list(prefix: "audit/")
        try #require(saltKeys.count == 1)
        let uuid = try #require(saltKeys.first)
        let salt = try #require(try await harness.core.barrier.get("audit/\(uuid)salt"))
        #expect(salt.count == 36)  // a UUID string
        for input in ["hvs.example-token", "ünïcode ✓", String(repeating: "x", count: 500)] {
            let expected = HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: SymmetricKey(data: salt))
            let hex = expected.map { String(format: "%02x", $0) }.joined()
            #expect(await harness.auditHash(input, device: "d") == "hmac-sha256:" + hex)
        }
    }

    @Test func listingAndEnablingNeedSudoButHashingDoesNot() async throws {
        let harness = try await CoreHarness.make()
        #expect(
            await harness.request(
                .update, "sys/audit/d", ["type": "file", "options": ["file_path": "discard"]]
            ).status == 204)
        let policy = #"path "sys/audit*" { capabilities = ["create", "read", "update", "delete"] }"#
        #expect(await harness.request(.update, "sys/policies/acl/auditor", ["policy": .string(policy)]).status == 204)
        let token = try #require(
            await harness.request(.update, "auth/token/create", ["policies": "auditor"]).clientToken)
        #expect(await harness.request(.read, "sys/audit", token: token).status == 403)
        #expect(
            await harness.request(
                .update, "sys/audit/e", ["type": "file", "options": ["file_path": "discard"]], token: token
            ).status == 403)
        #expect(await harness.request(.delete, "sys/audit/d", token: token).status == 403)
        let hashed = await harness.request(.update, "sys/audit-hash/d", ["input": "x"], token: token)
        #expect(hashed.status == 200)
    }
}
