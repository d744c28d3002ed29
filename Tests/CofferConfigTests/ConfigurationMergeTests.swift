import CofferConfig
import CofferTesting
import Foundation
import Testing

/// Several `-config` files and directories merge as in Vault; Coffer's earlier JSON layout is refused with
/// the same configuration shown in the new format.
@Suite struct ConfigurationMergeTests {
    private func write(_ text: String, _ name: String, in directory: URL) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }

    @Test func laterFilesWinForScalarsAndListenersAccumulate() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-merge") { directory in
            let base = try write(
                """
                storage "sqlite" { path = "/data/coffer.db" }
                listener "tcp" {
                  address     = "127.0.0.1:8200"
                  tls_disable = true
                }
                log_level = "info"
                max_lease_ttl = "48h"
                telemetry { disable_hostname = true }
                """, "base.hcl", in: directory)
            let extra = try write(
                """
                {"listener": {"tcp": {"address": "127.0.0.1:8300", "tls_disable": true}},
                 "log_level": "debug", "default_lease_ttl": "24h",
                 "telemetry": {"metrics_prefix": "coffer"}}
                """, "extra.json", in: directory)
            let config = try ServerConfiguration.load(paths: [base, extra])
            #expect(config.listeners.map(\.address) == ["127.0.0.1:8200", "127.0.0.1:8300"])
            #expect(config.logLevel == "debug" && config.defaultLeaseTTL == 86_400 && config.maxLeaseTTL == 172_800)
            #expect(config.telemetry?.disableHostname == true && config.telemetry?.metricsPrefix == "coffer")
            #expect(config.storagePath == "/data/coffer.db")

            let reversed = try ServerConfiguration.load(paths: [extra, base])
            #expect(reversed.logLevel == "info")
            #expect(reversed.listeners.map(\.address) == ["127.0.0.1:8300", "127.0.0.1:8200"])
        }
    }

    @Test func aDirectoryReadsItsHCLAndJSONFilesInNameOrder() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-merge") { directory in
            let conf = directory.appendingPathComponent("conf.d")
            try FileManager.default.createDirectory(at: conf, withIntermediateDirectories: false)
            _ = try write("log_level = \"error\"\nlistener \"tcp\" { tls_disable = true }", "20-late.hcl", in: conf)
            _ = try write(#"{"storage": {"inmem": {}}, "log_level": "warn"}"#, "10-early.json", in: conf)
            _ = try write("this is not configuration {", "README.md", in: conf)
            _ = try write("log_level = \"trace\"", "30-ignored.hcl.bak", in: conf)
            let config = try ServerConfiguration.load(paths: [conf.path])
            #expect(config.logLevel == "error" && config.storageType == "inmem" && config.listeners.count == 1)

            let empty = directory.appendingPathComponent("empty")
            try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
            #expect(throws: ConfigurationError("configuration directory \(empty.path) has no .hcl or .json files")) {
                try ServerConfiguration.load(paths: [empty.path])
            }
        }
    }

    @Test func aSecondStorageStanzaNamesBothFiles() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-merge") { directory in
            let first = try write(
                "listener \"tcp\" { tls_disable = true }\nstorage \"sqlite\" { path = \"a.db\" }", "a.hcl",
                in: directory)
            let second = try write("\n\nstorage \"inmem\" {}", "b.hcl", in: directory)
            #expect(
                throws: ConfigurationError(
                    "\(second):3: a second storage stanza (storage \"inmem\"); the first is at \(first):2, and Coffer "
                        + "takes exactly one across all configuration files")
            ) { try ServerConfiguration.load(paths: [first, second]) }
        }
        #expect(throws: ConfigurationError.self) {
            try ServerConfiguration.parse("storage \"inmem\" {}\nstorage \"inmem\" {}\nlistener \"tcp\" {}")
        }
    }

    /// The old layout is refused; the HCL the error shows reads back as the configuration the old file meant.
    @Test func theEarlierJSONLayoutIsRefusedShowingTheNewForm() throws {
        let old = """
            {"listener": {"address": "127.0.0.1:8299", "max_connections": 50},
             "storage": {"type": "sqlite", "path": "/var/lib/c \\"x\\".db"},
             "seal": {"type": "static", "key_file": "/etc/seal.key"},
             "default_lease_ttl": "1h", "log_format": "text"}
            """
        let message: String
        do {
            _ = try ServerConfiguration.parse(old, file: "coffer.json")
            Issue.record("the old layout was accepted")
            return
        } catch {
            message = error.description
        }
        let intro =
            "coffer.json:1: this is Coffer's earlier JSON layout; Coffer now reads Vault's format. The same "
            + "configuration in HCL (save it as a .hcl file):\n\n"
        #expect(message.hasPrefix(intro))
        let hcl = String(message.dropFirst(intro.count))
        #expect(
            hcl == """
                storage "sqlite" {
                  path = "/var/lib/c \\"x\\".db"
                }
                listener "tcp" {
                  tls_disable = true
                  address = "127.0.0.1:8299"
                  max_connections = 50
                }
                seal "static" {
                  key_file = "/etc/seal.key"
                }
                default_lease_ttl = "1h"
                log_format = "text"

                """)
        let config = try ServerConfiguration.parse(hcl)
        #expect(config.storagePath == "/var/lib/c \"x\".db" && config.address == "127.0.0.1:8299")
        #expect(config.maxConnections == 50 && config.listeners[0].tlsDisable && config.sealKeyFile == "/etc/seal.key")
        #expect(config.sealType == "static" && config.defaultLeaseTTL == 3600 && config.logFormat == "standard")

        // A file without a seal meant the static key from COFFER_SEAL_KEY; the shown form keeps that.
        let noSeal = #"{"storage": {"type": "sqlite", "path": "db"}}"#
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.parse(noSeal, file: "c.json") }
        do {
            _ = try ServerConfiguration.parse(noSeal, file: "c.json")
        } catch {
            let shown = error.description.components(separatedBy: "\n\n").dropFirst().joined(separator: "\n\n")
            #expect(
                shown
                    == "storage \"sqlite\" {\n  path = \"db\"\n}\nlistener \"tcp\" {\n  tls_disable = true\n}\nseal \"static\" {}\n"
            )
            let config = try ServerConfiguration.parse(shown)
            #expect(config.sealType == "static" && config.sealKeyEnv == "COFFER_SEAL_KEY")
            #expect(config.address == "127.0.0.1:8200")
        }
    }
}
