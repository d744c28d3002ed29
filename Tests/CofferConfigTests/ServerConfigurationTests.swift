import CofferConfig
import CofferJSON
import CofferTesting
import Foundation
import Testing

/// The typed configuration reader: defaults, every key read, unknown keys and wrong types refused by path.
@Suite struct ServerConfigurationTests {
    private func parse(_ json: String) throws(ConfigurationError) -> ServerConfiguration {
        guard let value = try? JSONParser.parse(Array(json.utf8)), case .object(let object) = value else {
            throw ConfigurationError("test input is not a JSON object")
        }
        return try ServerConfiguration.parse(object)
    }

    private func refusal(_ json: String) -> String? {
        do {
            _ = try parse(json)
            return nil
        } catch {
            return error.description
        }
    }

    private let minimal = #"{"storage": {"path": "/tmp/c.db"}}"#

    @Test func aMinimalFileTakesEveryDefault() throws {
        let config = try parse(minimal)
        var expected = ServerConfiguration()
        expected.storagePath = "/tmp/c.db"
        #expect(config == expected)
        #expect(config.address == "127.0.0.1:8200")
        #expect(config.maxRequestSize == 33_554_432)
        #expect(config.maxConnections == 4096)
        #expect(config.readHeaderTimeout == 10)
        #expect(config.sealKeyFile == nil)
        #expect(config.sealKeyEnv == "COFFER_SEAL_KEY")
        #expect(config.defaultLeaseTTL == 2_764_800 && config.maxLeaseTTL == 2_764_800)
        #expect(config.logLevel == "info" && config.logFormat == "text")
    }

    @Test func everyKeyIsRead() throws {
        let config = try parse(
            """
            {"listener": {"address": "[::1]:9200", "max_request_size": -1, "max_connections": 12,
                          "http_read_header_timeout": "2m"},
             "storage": {"type": "sqlite", "path": "/var/lib/coffer.db"},
             "seal": {"type": "static", "key_file": "/etc/seal.key", "key_env": "MY_KEY"},
             "default_lease_ttl": "1h", "max_lease_ttl": 7200, "log_level": "debug", "log_format": "json"}
            """)
        #expect(config.address == "[::1]:9200")
        #expect(config.maxRequestSize == -1)
        #expect(config.maxConnections == 12)
        #expect(config.readHeaderTimeout == 120)
        #expect(config.storagePath == "/var/lib/coffer.db")
        #expect(config.sealKeyFile == "/etc/seal.key" && config.sealKeyEnv == "MY_KEY")
        #expect(config.defaultLeaseTTL == 3600 && config.maxLeaseTTL == 7200)
        #expect(config.logLevel == "debug" && config.logFormat == "json")
    }

    @Test func aZeroRequestSizeMeansTheDefault() throws {
        let config = try parse(#"{"listener": {"max_request_size": 0}, "storage": {"path": "p"}}"#)
        #expect(config.maxRequestSize == ServerConfiguration.defaultMaxRequestSize)
    }

    @Test(arguments: [
        (#"{"storage": {"path": "p"}, "surprise": 1}"#, #"unknown configuration key "surprise""#),
        (#"{"storage": {"path": "p"}, "listener": {"adress": "x"}}"#, #"unknown configuration key "listener.adress""#),
        (#"{"storage": {"path": "p", "pathh": "q"}}"#, #"unknown configuration key "storage.pathh""#),
        (#"{"storage": {"path": "p"}, "seal": {"kind": "static"}}"#, #"unknown configuration key "seal.kind""#),
        (#"{"storage": {"path": "p", "b": 1, "a": 2}}"#, #"unknown configuration key "storage.a""#),
    ])
    func unknownKeysAreRefusedAtEveryLevelByPath(json: String, message: String) {
        #expect(refusal(json) == message)
    }

    @Test(arguments: [
        (#"{"storage": {"path": "p"}, "listener": []}"#, #""listener" must be an object"#),
        (#"{"storage": "p"}"#, #""storage" must be an object"#),
        (#"{"storage": {"path": "p"}, "seal": "static"}"#, #""seal" must be an object"#),
        (#"{"storage": {"path": 5}}"#, "storage.path must be a string that is not empty"),
        (#"{"storage": {"path": ""}}"#, "storage.path must be a string that is not empty"),
        (#"{"storage": {"path": "p", "type": "postgres"}}"#, #"storage.type must be "sqlite""#),
        (#"{"storage": {"path": "p"}, "seal": {"key_file": 1}}"#, "seal.key_file must be a string"),
        (#"{"storage": {"path": "p"}, "seal": {"type": "shamir"}}"#, #"seal.type must be "static""#),
        (#"{"storage": {"path": "p"}, "listener": {"address": "nohost"}}"#, #"listener.address must be "host:port""#),
        (
            #"{"storage": {"path": "p"}, "listener": {"max_request_size": "1"}}"#,
            "listener.max_request_size must be an integer of -1 or more"
        ),
        (
            #"{"storage": {"path": "p"}, "listener": {"max_request_size": -2}}"#,
            "listener.max_request_size must be an integer of -1 or more"
        ),
        (
            #"{"storage": {"path": "p"}, "listener": {"max_connections": 0}}"#,
            "listener.max_connections must be an integer between 1 and 1000000"
        ),
        (
            #"{"storage": {"path": "p"}, "listener": {"max_connections": 1e19}}"#,
            "listener.max_connections must be an integer between 1 and 1000000"
        ),
        (
            #"{"storage": {"path": "p"}, "listener": {"http_read_header_timeout": "9999999999999999h"}}"#,
            "listener.http_read_header_timeout must be a duration from 1s to 1h"
        ),
        (
            #"{"storage": {"path": "p"}, "default_lease_ttl": true}"#,
            "default_lease_ttl must be a duration greater than zero"
        ),
        (#"{"storage": {"path": "p"}, "max_lease_ttl": "-1s"}"#, "max_lease_ttl must be a duration greater than zero"),
        (#"{"storage": {"path": "p"}, "log_level": 3}"#, "log_level must be a string"),
        (#"{"storage": {"path": "p"}, "log_format": "xml"}"#, #"log_format must be "text" or "json""#),
    ])
    func wrongTypesAndValuesAreRefusedNamingThePath(json: String, message: String) {
        #expect(refusal(json) == message)
    }

    @Test func requiredPartsAndCrossKeyChecks() {
        #expect(refusal("{}") == #""storage" is required: {"type": "sqlite", "path": "…"}"#)
        #expect(refusal(#"{"storage": {"type": "sqlite"}}"#) == "storage.path is required")
        #expect(
            refusal(#"{"storage": {"path": "p"}, "default_lease_ttl": "2h", "max_lease_ttl": "1h"}"#)
                == "default_lease_ttl cannot be greater than max_lease_ttl")
    }

    @Test func loadReportsUnreadableAndNonObjectFiles() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-config") { directory in
            let missing = directory.appendingPathComponent("missing.json").path
            #expect(throws: ConfigurationError("cannot read configuration file \(missing)")) {
                try ServerConfiguration.load(path: missing)
            }
            let array = directory.appendingPathComponent("array.json")
            try Data("[1]".utf8).write(to: array)
            #expect(throws: ConfigurationError("configuration file \(array.path) is not a JSON object")) {
                try ServerConfiguration.load(path: array.path)
            }
            let blank = directory.appendingPathComponent("blank.json")
            try Data(" \n".utf8).write(to: blank)
            #expect(throws: ConfigurationError("configuration file \(blank.path) is empty")) {
                try ServerConfiguration.load(path: blank.path)
            }
            let good = directory.appendingPathComponent("good.json")
            try Data(#"{"storage": {"path": "db"}, "listener": {"address": "127.0.0.1:1"}}"#.utf8).write(to: good)
            #expect(try ServerConfiguration.load(path: good.path).address == "127.0.0.1:1")
        }
    }
}
