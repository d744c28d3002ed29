import CofferConfig
import Foundation
import Testing

/// The configuration reference is generated from the reader's declarations, and README.md mirrors it.
@Suite struct ConfigHelpTests {
    @Test func everyDeclaredKeyHasAHelpRowWithItsTypeAndDefault() {
        let rows = Dictionary(uniqueKeysWithValues: ServerConfiguration.helpRows.map { ($0.path, $0) })
        #expect(
            Set(rows.keys) == [
                "listener", "listener.address", "listener.max_request_size", "listener.max_connections",
                "listener.http_read_header_timeout", "storage", "storage.type", "storage.path", "seal", "seal.type",
                "seal.key_file", "seal.key_env", "default_lease_ttl", "max_lease_ttl", "log_level", "log_format",
            ])
        #expect(rows["listener.address"]?.type == #""host:port""#)
        #expect(rows["listener.address"]?.defaultValue == "127.0.0.1:8200")
        #expect(rows["listener.max_request_size"]?.defaultValue == "33554432")
        #expect(rows["listener.http_read_header_timeout"]?.type == "duration")
        #expect(rows["listener.http_read_header_timeout"]?.defaultValue == "10s")
        #expect(rows["storage"]?.defaultValue == "required")
        #expect(rows["storage.path"]?.defaultValue == "required")
        #expect(rows["seal.key_file"]?.defaultValue == "—")
        #expect(rows["seal.key_env"]?.defaultValue == "COFFER_SEAL_KEY")
        #expect(rows["default_lease_ttl"]?.defaultValue == "768h")
        #expect(rows["log_format"]?.type == #""text" | "json""#)
        #expect(ServerConfiguration.helpRows.allSatisfy { !$0.doc.isEmpty })
    }

    @Test func theListingFitsATerminal() {
        let listing = ConfigHelpRow.listing(ServerConfiguration.helpRows)
        #expect(listing.contains("  listener.max_connections (integer, default 4096)\n      open connections at once"))
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
