import CofferClient
import CofferTesting
import Foundation
import Testing

/// The seal on the real binary: a Shamir-sealed persistent server (SQLite in a temporary directory) across a
/// restart, and dev mode's single unseal key.
@Suite(.serialized) struct SealServerTests {
    private static func errors(_ response: VaultResponse) -> [String] {
        response.json?["errors"]?.arrayValue?.compactMap(\.stringValue) ?? []
    }

    @Test func aShamirServerStartsSealedAndNeedsUnsealingAfterARestart() async throws {
        try await OperatorTestServer.with { server in
            try await withVaultClient(.init(address: server.address, timeout: .seconds(30))) { client in
                let fresh = try await client.send("GET", "sys/seal-status")
                #expect(fresh.json?["initialized"] == false && fresh.json?["type"] == "shamir")
                #expect(try await client.send("GET", "sys/health").statusCode == 501)
                #expect(server.serverLog.contains("coffer operator init"))

                let initialized = try await client.send(
                    "PUT", "sys/init", body: Data(#"{"secret_shares":5,"secret_threshold":3}"#.utf8))
                #expect(initialized.statusCode == 200)
                let keys = initialized.json?["keys_base64"]?.arrayValue?.compactMap(\.stringValue) ?? []
                let root = try #require(initialized.json?["root_token"]?.stringValue)
                #expect(keys.count == 5)
                #expect(try await client.send("GET", "sys/health").statusCode == 503)
                for key in [keys[4], keys[0], keys[2]] {
                    _ = try await client.send("PUT", "sys/unseal", body: Data(#"{"key":"\#(key)"}"#.utf8))
                }
                let headers = ["X-Vault-Token": root]
                #expect(
                    try await client.send(
                        "POST", "sys/mounts/kept", body: Data(#"{"type":"kv"}"#.utf8), headers: headers
                    ).statusCode == 204)
                #expect(
                    try await client.send(
                        "PUT", "kept/a", body: Data(#"{"v":"before restart"}"#.utf8), headers: headers
                    )
                    .statusCode == 204)

                try await server.restart()
                let restarted = try await client.send("GET", "sys/seal-status")
                #expect(restarted.json?["initialized"] == true && restarted.json?["sealed"] == true)
                #expect(restarted.json?["t"] == 3 && restarted.json?["n"] == 5 && restarted.json?["progress"] == 0)
                let blocked = try await client.send("GET", "kept/a", headers: headers)
                #expect(blocked.statusCode == 503 && Self.errors(blocked) == ["Vault is sealed"])
                // Two shares are not enough; the third distinct one unseals.
                _ = try await client.send("PUT", "sys/unseal", body: Data(#"{"key":"\#(keys[1])"}"#.utf8))
                let two = try await client.send("PUT", "sys/unseal", body: Data(#"{"key":"\#(keys[3])"}"#.utf8))
                #expect(two.json?["sealed"] == true && two.json?["progress"] == 2)
                let three = try await client.send("PUT", "sys/unseal", body: Data(#"{"key":"\#(keys[0])"}"#.utf8))
                #expect(three.json?["sealed"] == false)
                let read = try await client.send("GET", "kept/a", headers: headers)
                #expect(read.statusCode == 200 && read.data?["v"] == "before restart")
            }
        }
    }

    /// A Shamir database started with `seal "static"` is refused at start, naming the stanza to remove (there is
    /// no seal migration). `timeout` turns a server that wrongly starts into a failure instead of a hang.
    @Test func aSealStanzaThatDoesNotMatchTheStorageIsRefused() async throws {
        try await OperatorTestServer.with { server in
            try await withVaultClient(.init(address: server.address, timeout: .seconds(30))) { client in
                let initialized = try await client.send(
                    "PUT", "sys/init", body: Data(#"{"secret_shares":1,"secret_threshold":1}"#.utf8))
                #expect(initialized.statusCode == 200)
            }
            server.stop()
            let keyFile = server.directory + "/seal.key"
            try Data((String(repeating: "ab", count: 32) + "\n").utf8).write(to: URL(fileURLWithPath: keyFile))
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: keyFile)
            let config = server.directory + "/static.hcl"
            try """
            storage "sqlite" {
              path = "\(server.directory)/coffer.db"
            }
            listener "tcp" {
              address = "127.0.0.1:\(try DevServer.freePort())"
              tls_disable = true
            }
            seal "static" {
              key_file = "\(keyFile)"
            }
            """.write(toFile: config, atomically: true, encoding: .utf8)
            let run = try await ProgramRunner.run(
                "/usr/bin/timeout", ["30", try DevServer.binaryPath, "server", "-config=\(config)"],
                environment: ["HOME": server.directory, "PATH": "/usr/bin:/bin"], scratch: server.directory)
            #expect(run.status != 0 && run.status != 124, "\(run.stdout)\(run.stderr)")
            #expect(
                (run.stdout + run.stderr).contains("uses the Shamir seal: remove the seal \"static\" stanza"),
                "\(run.stdout)\(run.stderr)")
        }
    }

    @Test func devModeHasOneShareAndItsPrintedKeyUnsealsAgain() async throws {
        try await DevServer.with { server in
            try await withVaultClient(.init(address: server.address, timeout: .seconds(30))) { client in
                let status = try await client.send("GET", "sys/seal-status")
                #expect(status.json?["t"] == 1 && status.json?["n"] == 1 && status.json?["type"] == "shamir")
                #expect(status.json?["sealed"] == false)
                let line = try #require(
                    server.serverLog.split(separator: "\n").first { $0.hasPrefix("Unseal Key: ") })
                let key = String(line.dropFirst("Unseal Key: ".count))
                #expect(key.count == 44)
                let headers = ["X-Vault-Token": server.rootToken]
                #expect(try await client.send("PUT", "sys/seal", headers: headers).statusCode == 204)
                let sealed = try await client.send("GET", "secret/config", headers: headers)
                #expect(sealed.statusCode == 503)
                let unsealed = try await client.send("PUT", "sys/unseal", body: Data(#"{"key":"\#(key)"}"#.utf8))
                #expect(unsealed.json?["sealed"] == false)
                #expect(try await client.send("GET", "sys/mounts", headers: headers).statusCode == 200)
            }
        }
    }
}
