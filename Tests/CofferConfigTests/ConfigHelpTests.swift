import CofferConfig
import Foundation
import Testing

/// The configuration reference is generated from the reader's declarations, and README.md mirrors it.
@Suite struct ConfigHelpTests {
    @Test func everyDeclaredKeyHasAHelpRowWithItsTypeAndDefault() {
        let rows = Dictionary(uniqueKeysWithValues: ServerConfiguration.helpRows.map { ($0.path, $0) })
        let tcp = #"listener "tcp""#
        let listenerKeys = [
            "address", "max_request_size", "max_connections", "http_read_header_timeout", "tls_disable",
            "tls_cert_file", "tls_key_file", "tls_min_version", "tls_max_version", "tls_client_ca_file",
            "tls_require_and_verify_client_cert", "tls_disable_client_certs", "telemetry",
            "telemetry.unauthenticated_metrics_access",
        ]
        let expected = Set<String>([
            #"storage "sqlite""#, #"storage "sqlite".path"#, #"storage "inmem""#, tcp, #"seal "static""#,
            #"seal "static".key_file"#, #"seal "static".key_env"#, "telemetry",
            "telemetry.prometheus_retention_time", "telemetry.disable_hostname", "telemetry.metrics_prefix",
            "telemetry.usage_gauge_period", "api_addr", "cluster_addr", "cluster_name", "default_lease_ttl",
            "max_lease_ttl", "log_level", "log_format", "disable_mlock", "shutdown_grace_period",
            "cache_size", "disable_cache", "disable_forwarding",
        ]).union(listenerKeys.map { "\(tcp).\($0)" })
            .union(
                [
                    "", ".connection_url", ".table", ".ha_enabled", ".ha_table", ".max_parallel",
                    ".max_idle_connections", ".lock_ttl",
                ].map { #"storage "postgresql""# + $0 })
        #expect(Set(rows.keys) == expected)
        #expect(rows[tcp + ".address"]?.type == #""host:port""#)
        #expect(rows[tcp + ".address"]?.defaultValue == "127.0.0.1:8200")
        #expect(rows[tcp + ".max_request_size"]?.defaultValue == "33554432")
        #expect(rows[tcp + ".http_read_header_timeout"]?.type == "duration")
        #expect(rows[tcp + ".http_read_header_timeout"]?.defaultValue == "10s")
        #expect(rows[tcp + ".tls_min_version"]?.defaultValue == "tls12")
        #expect(rows[tcp + ".tls_disable"]?.defaultValue == "false")
        #expect(rows[tcp + ".tls_cert_file"]?.defaultValue == "—")
        #expect(rows[#"storage "sqlite".path"#]?.defaultValue == "required")
        #expect(rows[#"seal "static".key_env"#]?.defaultValue == "COFFER_SEAL_KEY")
        #expect(rows["telemetry.prometheus_retention_time"]?.defaultValue == "24h")
        #expect(rows["telemetry.usage_gauge_period"]?.defaultValue == "10m")
        #expect(rows["default_lease_ttl"]?.defaultValue == "768h")
        #expect(rows["log_format"]?.type == #""standard" | "json""#)
        #expect(rows["log_format"]?.defaultValue == "standard")
        #expect(ServerConfiguration.helpRows.allSatisfy { !$0.doc.isEmpty })
    }

    @Test func theListingFitsATerminal() {
        let listing = ConfigHelpRow.listing(ServerConfiguration.helpRows)
        #expect(
            listing.contains(
                "  listener \"tcp\".max_connections (integer, default 4096)\n      open connections at once"))
        for line in listing.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
    }

    /// README.md's configuration table is the help listing in Markdown, row for row and in the same order.
    @Test func readmeMirrorsTheHelp() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        let expected = ServerConfiguration.helpRows.map(\.markdown).joined(separator: "\n")
        #expect(readme.contains(expected), "README.md's table should read:\n\(expected)")
        for variable in ServerEnvironmentVariable.all { #expect(readme.contains("`\(variable.name)`")) }
    }
}
