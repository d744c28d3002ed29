import CofferTesting
import Foundation
import Testing

/// `coffer server` as a user meets it: the generated configuration reference in `-help`, configurations
/// refused before anything starts (unknown nested key, two storage stanzas across `-config` files, the earlier
/// JSON layout), and `build_date` stamped by the build.
@Suite(.serialized) struct ServerConfigurationCLITests {
    /// Runs the real binary without a server, in a private `HOME`; `output` is its stdout followed by its stderr.
    private func coffer(_ arguments: [String], environment: [String: String] = [:]) async throws -> (
        status: Int32, output: String
    ) {
        try await TemporaryDirectory.with(prefix: "coffer-cli") { directory in
            let result = try await ProgramRunner.run(
                try DevServer.binaryPath, arguments,
                environment: ["HOME": directory.path, "PATH": "/usr/bin:/bin"].merging(environment) { $1 },
                scratch: directory.path)
            return (result.status, result.stdout + result.stderr)
        }
    }

    @Test(arguments: ["-help", "--help"])
    func helpListsEveryKeyWithTypeAndDefault(flag: String) async throws {
        let help = try await coffer(["server", flag])
        #expect(help.status == 0, "\(help.output)")
        // ArgumentParser wraps the text to the terminal; compare with runs of white space made single.
        let flat = help.output.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for line in [
            "listener \"tcp\".address (\"host:port\", default 127.0.0.1:8200)",
            "listener \"tcp\".max_request_size (integer, default 33554432)",
            "listener \"tcp\".http_read_header_timeout (duration, default 10s)",
            "listener \"tcp\".tls_min_version (tls version, default tls12)",
            "listener \"tcp\".telemetry.unauthenticated_metrics_access (bool, default false)",
            "storage \"sqlite\".path (path, required)", "seal \"static\".key_file (path) key file",
            "seal \"static\".key_env (string, default COFFER_SEAL_KEY)",
            "default_lease_ttl (duration, default 768h)", "log_format (\"standard\" | \"json\", default standard)",
            "VAULT_LOG_LEVEL (-log-level)", "VAULT_API_ADDR (api_addr)",
            "Unknown keys and bad values are refused with file, line and key",
        ] {
            #expect(flat.contains(line), "missing \(line)")
        }
    }

    @Test func anUnknownNestedKeyRefusesToStartNamingFileLineAndPath() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-config") { directory in
            let config = directory.appendingPathComponent("config.hcl")
            let database = directory.appendingPathComponent("coffer.db").path
            try Data(
                """
                listener "tcp" { tls_disable = true }
                storage "sqlite" {
                  pathh = "x"
                  path  = "\(database)"
                }
                """.utf8
            ).write(to: config)
            let run = try await coffer(["server", "-config=\(config.path)"])
            #expect(run.status == 1)
            #expect(
                run.output.contains(
                    #"Error starting the server: \#(config.path):3: unknown key "storage.sqlite.pathh""#),
                "\(run.output)")
            #expect(!FileManager.default.fileExists(atPath: database))
        }
    }

    /// `-config` repeats, and the files merge: a storage stanza in each is refused naming both.
    @Test func repeatedConfigFlagsMergeTheirFiles() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-config") { directory in
            let first = directory.appendingPathComponent("a.hcl")
            let second = directory.appendingPathComponent("b.json")
            try Data("storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }".utf8).write(to: first)
            try Data(#"{"storage": {"inmem": {}}}"#.utf8).write(to: second)
            let run = try await coffer(["server", "-config=\(first.path)", "-config", second.path])
            #expect(run.status == 1)
            #expect(
                run.output.contains(
                    "\(second.path):1: a second storage stanza (storage \"inmem\"); the first is at \(first.path):1"),
                "\(run.output)")
        }
    }

    /// A configuration in Coffer's earlier JSON layout is refused with the same settings in HCL.
    @Test func theEarlierJSONLayoutIsRefusedShowingTheHCL() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-config") { directory in
            let config = directory.appendingPathComponent("coffer.json")
            try Data(#"{"listener": {"address": "127.0.0.1:1"}, "storage": {"type": "sqlite", "path": "x.db"}}"#.utf8)
                .write(to: config)
            let run = try await coffer(["server", "-config=\(config.path)"])
            #expect(run.status == 1)
            #expect(run.output.contains("earlier JSON layout"), "\(run.output)")
            #expect(
                run.output.contains(
                    "storage \"sqlite\" {\n  path = \"x.db\"\n}\nlistener \"tcp\" {\n  tls_disable = true\n"))
        }
    }

    /// The date is the commit time of HEAD when the binary was built (Vault's `build_date`), so it is the
    /// time of one of the repository's commits.
    @Test func buildDateComesFromTheBuild() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let log = try await TemporaryDirectory.with(prefix: "coffer-git") { scratch in
            try await ProgramRunner.run(
                "/usr/bin/env",
                ["git", "-C", root.path, "log", "--format=%cd", "--date=format-local:%Y-%m-%dT%H:%M:%SZ"],
                environment: ["TZ": "UTC0", "PATH": "/usr/bin:/bin"], scratch: scratch.path)
        }
        let commitTimes = Set(log.stdout.split(separator: "\n").map(String.init))
        try #require(!commitTimes.isEmpty, "no git history at \(root.path): \(log.stderr)")
        try await DevServer.with { server in
            let status = try await server.cli("status", "-format=json")
            let text = try #require(status.stdout.split(separator: "\"build_date\": \"").dropFirst().first)
            let date = String(text.prefix { $0 != "\"" })
            #expect(commitTimes.contains(date), "build_date \(date) is no commit's time")
        }
    }
}
