import CofferConfig
import Testing

/// `storage "postgresql"`: its keys and defaults, the COFFER_PG_CONNECTION_URL fallback, and refusals that never
/// repeat the connection URL.
@Suite struct PostgreSQLStorageConfigurationTests {
    private let listener = "listener \"tcp\" { tls_disable = true }\n"

    private func refusal(_ text: String) -> String? {
        do {
            _ = try ServerConfiguration.parse(text, file: "config.hcl")
            return nil
        } catch {
            return error.description
        }
    }

    @Test func everyKeyIsReadAndStored() throws {
        let config = try ServerConfiguration.parse(
            listener + """
                storage "postgresql" {
                  connection_url       = "postgres://coffer:pw@db:5432/coffer"
                  table                = "my_store"
                  ha_enabled           = "true"
                  ha_table             = "my_locks"
                  max_parallel         = 16
                  max_idle_connections = "4"
                }
                """)
        #expect(config.storageType == "postgresql")
        var expected = PostgreSQLStorageConfiguration()
        expected.connectionURL = "postgres://coffer:pw@db:5432/coffer"
        expected.table = "my_store"
        expected.haEnabled = true
        expected.haTable = "my_locks"
        expected.maxParallel = 16
        expected.maxIdleConnections = 4
        #expect(config.postgresql == expected)
    }

    @Test func defaultsMatchTheDocs() throws {
        var config = try ServerConfiguration.parse(listener + "storage \"postgresql\" {}")
        try config.applyEnvironment(["COFFER_PG_CONNECTION_URL": "postgres://u:p@h/d"])
        #expect(config.postgresql.connectionURL == "postgres://u:p@h/d")
        #expect(config.postgresql.table == "coffer_kv_store" && config.postgresql.haTable == "coffer_ha_locks")
        #expect(config.postgresql.maxParallel == 128 && config.postgresql.maxIdleConnections == 0)
        #expect(config.postgresql.haEnabled == false)
    }

    @Test func theFileWinsOverTheVariableAndOneOfThemIsRequired() throws {
        var fromFile = try ServerConfiguration.parse(
            listener + "storage \"postgresql\" { connection_url = \"postgres://u:file@h/d\" }")
        try fromFile.applyEnvironment(["COFFER_PG_CONNECTION_URL": "postgres://u:env@h/d"])
        #expect(fromFile.postgresql.connectionURL == "postgres://u:file@h/d")

        var neither = try ServerConfiguration.parse(listener + "storage \"postgresql\" {}")
        do {
            try neither.applyEnvironment(["COFFER_PG_CONNECTION_URL": ""])
            Issue.record("accepted a postgresql stanza without a connection URL")
        } catch {
            #expect(error.description.contains("needs connection_url (or the COFFER_PG_CONNECTION_URL"))
        }
        // Other storage types never look at the variable.
        var sqlite = try ServerConfiguration.parse(listener + "storage \"sqlite\" { path = \"/tmp/c.db\" }")
        try sqlite.applyEnvironment([:])
        #expect(sqlite.postgresql.connectionURL == nil)
    }

    @Test(arguments: [
        ("table = \"x; DROP TABLE y\"", "config.hcl:2: storage.postgresql.table must be a string of 1-48 letters"),
        ("table = \"1abc\"", "config.hcl:2: storage.postgresql.table must be a string of 1-48 letters"),
        ("ha_table = \"\"", "config.hcl:2: storage.postgresql.ha_table must be a string of 1-48 letters"),
        ("max_parallel = 0", "config.hcl:2: storage.postgresql.max_parallel must be an integer between 1 and 10000"),
        ("max_parallel = 1e9", "config.hcl:2: storage.postgresql.max_parallel must be an integer"),
        ("max_idle_connections = -1", "config.hcl:2: storage.postgresql.max_idle_connections must be an integer"),
        ("ha_enabled = \"maybe\"", "config.hcl:2: storage.postgresql.ha_enabled must be true or false"),
        ("connection_url = \"\"", "config.hcl:2: storage.postgresql.connection_url must be a string that is not"),
        ("user = \"x\"", "config.hcl:2: unknown key \"storage.postgresql.user\""),
    ])
    func badValuesAreRefusedWithFileLineAndKey(entry: String, message: String) {
        let text = listener + "storage \"postgresql\" { \(entry) }"
        let refused = refusal(text)
        #expect(refused?.hasPrefix(message) == true, "\(refused ?? "accepted")")
    }
}
