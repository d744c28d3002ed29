import CofferTesting
import Foundation
import Testing

/// `coffer server` as a user meets it: the generated configuration reference in `-help`, a configuration
/// with an unknown nested key refused before anything starts, and `build_date` stamped by the build.
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
            "listener.address (\"host:port\", default 127.0.0.1:8200)",
            "listener.max_request_size (integer, default 33554432)",
            "listener.http_read_header_timeout (duration, default 10s)",
            "storage.path (path, required)", "seal.key_file (path) key file",
            "seal.key_env (string, default COFFER_SEAL_KEY)",
            "default_lease_ttl (duration, default 768h)", "log_format (\"text\" | \"json\", default text)",
            "VAULT_LOG_LEVEL (-log-level)", "unknown keys are refused at every level",
        ] {
            #expect(flat.contains(line), "missing \(line)")
        }
    }

    @Test func anUnknownNestedKeyRefusesToStartNamingItsPath() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-config") { directory in
            let config = directory.appendingPathComponent("coffer.json")
            let database = directory.appendingPathComponent("coffer.db").path
            try Data(#"{"storage": {"type": "sqlite", "pathh": "x", "path": "\#(database)"}}"#.utf8).write(to: config)
            let run = try await coffer(
                ["server", "-config=\(config.path)"], environment: ["COFFER_SEAL_KEY": "unused"])
            #expect(run.status == 1)
            #expect(run.output.contains(#"Error starting the server: unknown configuration key "storage.pathh""#))
            #expect(!FileManager.default.fileExists(atPath: database))
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
