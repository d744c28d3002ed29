import CofferConfig
import CofferTesting
import Foundation
import Testing

/// The configuration reader in Vault's format: defaults, every stanza and key, both syntaxes, and refusals
/// that name file, line and key.
@Suite struct ServerConfigurationTests {
    private let minimal = """
        storage "sqlite" { path = "/tmp/c.db" }
        listener "tcp" { tls_disable = true }
        """

    private func refusal(_ text: String, file: String = "config.hcl") -> String? {
        do {
            _ = try ServerConfiguration.parse(text, file: file)
            return nil
        } catch {
            return error.description
        }
    }

    @Test func aMinimalFileTakesEveryDefault() throws {
        let config = try ServerConfiguration.parse(minimal)
        var expected = ServerConfiguration()
        expected.storagePath = "/tmp/c.db"
        expected.listeners[0].tlsDisable = true
        expected.sealType = nil
        #expect(config == expected)
        #expect(config.address == "127.0.0.1:8200" && config.maxRequestSize == 33_554_432)
        #expect(config.maxConnections == 4096 && config.readHeaderTimeout == 10)
        #expect(config.sealType == nil && config.sealKeyFile == nil && config.telemetry == nil)
        #expect(config.defaultLeaseTTL == 2_764_800 && config.maxLeaseTTL == 2_764_800)
        #expect(config.logLevel == "info" && config.logFormat == "standard" && config.shutdownGracePeriod == 10)
    }

    static let everyKeyHCL = """
        storage "sqlite" {
          path = "/var/lib/coffer.db"
        }
        listener "tcp" {
          address                            = "[::1]:9200"
          tls_cert_file                      = "/etc/tls/server.pem"
          tls_key_file                       = "/etc/tls/server-key.pem"
          tls_min_version                    = "tls13"
          tls_max_version                    = "tls13"
          tls_client_ca_file                 = "/etc/tls/ca.pem"
          tls_require_and_verify_client_cert = "true"
          max_request_size                   = -1
          max_connections                    = 12
          http_read_header_timeout           = "2m"
          telemetry {
            unauthenticated_metrics_access = true
          }
        }
        listener "tcp" {
          address                  = "127.0.0.1:9201"
          tls_disable              = 1
          tls_disable_client_certs = true
        }
        seal "static" {
          key_file = "/etc/seal.key"
          key_env  = "MY_KEY"
        }
        telemetry {
          prometheus_retention_time = "30s"
          disable_hostname          = true
          metrics_prefix            = "coffer"
          usage_gauge_period        = "none"
        }
        api_addr              = "https://coffer.example.com:8200"
        cluster_addr          = "https://coffer.example.com:8201"
        cluster_name          = "prod"
        default_lease_ttl     = "1h"
        max_lease_ttl         = 7200
        log_level             = "debug"
        log_format            = "json"
        disable_mlock         = true
        shutdown_grace_period = "30s"
        cache_size            = 4096
        disable_cache         = true
        """

    static let everyKeyJSON = """
        {
          "storage": {"sqlite": {"path": "/var/lib/coffer.db"}},
          "listener": [
            {"tcp": {"address": "[::1]:9200", "tls_cert_file": "/etc/tls/server.pem",
                     "tls_key_file": "/etc/tls/server-key.pem", "tls_min_version": "tls13",
                     "tls_max_version": "tls13", "tls_client_ca_file": "/etc/tls/ca.pem",
                     "tls_require_and_verify_client_cert": true, "max_request_size": -1,
                     "max_connections": "12", "http_read_header_timeout": 120,
                     "telemetry": {"unauthenticated_metrics_access": "true"}}},
            {"tcp": {"address": "127.0.0.1:9201", "tls_disable": "true", "tls_disable_client_certs": true}}
          ],
          "seal": {"static": {"key_file": "/etc/seal.key", "key_env": "MY_KEY"}},
          "telemetry": {"prometheus_retention_time": 30, "disable_hostname": true, "metrics_prefix": "coffer",
                        "usage_gauge_period": "none"},
          "api_addr": "https://coffer.example.com:8200", "cluster_addr": "https://coffer.example.com:8201",
          "cluster_name": "prod", "default_lease_ttl": "1h", "max_lease_ttl": "2h", "log_level": "debug",
          "log_format": "json", "disable_mlock": true, "shutdown_grace_period": 30,
          "cache_size": "4096", "disable_cache": true
        }
        """

    @Test func everyStanzaAndKeyIsRead() throws {
        let config = try ServerConfiguration.parse(Self.everyKeyHCL)
        #expect(config.storageType == "sqlite" && config.storagePath == "/var/lib/coffer.db")
        #expect(config.listeners.count == 2)
        let first = config.listeners[0]
        #expect(first.address == "[::1]:9200" && !first.tlsDisable)
        #expect(first.tlsCertFile == "/etc/tls/server.pem" && first.tlsKeyFile == "/etc/tls/server-key.pem")
        #expect(first.tlsMinVersion == "tls13" && first.tlsMaxVersion == "tls13")
        #expect(first.tlsClientCAFile == "/etc/tls/ca.pem" && first.tlsRequireAndVerifyClientCert)
        #expect(first.maxRequestSize == -1 && first.maxConnections == 12 && first.readHeaderTimeout == 120)
        #expect(first.unauthenticatedMetricsAccess && !first.tlsDisableClientCerts)
        let second = config.listeners[1]
        #expect(second.address == "127.0.0.1:9201" && second.tlsDisable && second.tlsDisableClientCerts)
        #expect(!second.unauthenticatedMetricsAccess && second.tlsCertFile == nil)
        #expect(config.sealType == "static" && config.sealKeyFile == "/etc/seal.key" && config.sealKeyEnv == "MY_KEY")
        var telemetry = TelemetryConfiguration()
        telemetry.prometheusRetentionTime = 30
        telemetry.disableHostname = true
        telemetry.metricsPrefix = "coffer"
        telemetry.usageGaugePeriod = 0
        #expect(config.telemetry == telemetry)
        #expect(config.apiAddress == "https://coffer.example.com:8200")
        #expect(config.clusterAddress == "https://coffer.example.com:8201" && config.clusterName == "prod")
        #expect(config.defaultLeaseTTL == 3600 && config.maxLeaseTTL == 7200)
        #expect(config.logLevel == "debug" && config.logFormat == "json")
        #expect(config.disableMlock && config.shutdownGracePeriod == 30)
        #expect(config.cacheSize == 4096 && config.disableCache && config.effectiveCacheSize == 4096)
    }

    @Test func cacheSizeDefaultsToVaultsAndZeroMeansTheDefault() throws {
        let listener = "storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }\n"
        let defaults = try ServerConfiguration.parse(listener)
        #expect(defaults.cacheSize == 131_072 && !defaults.disableCache)
        let zero = try ServerConfiguration.parse(listener + "cache_size = 0")
        #expect(zero.effectiveCacheSize == 131_072)
    }

    @Test func hclAndJSONGiveEqualConfigurations() throws {
        let hcl = try ServerConfiguration.parse(Self.everyKeyHCL, file: "config.hcl")
        #expect(try ServerConfiguration.parse(Self.everyKeyJSON, file: "config.json") == hcl)
        // Without a .json name the leading brace decides; a single listener may be an object.
        let single = #"{"storage": {"inmem": {}}, "listener": {"tcp": {"tls_disable": true}}}"#
        let fromObject = try ServerConfiguration.parse(single, file: "conf")
        #expect(fromObject.storageType == "inmem" && fromObject.listeners.count == 1)
        #expect(
            fromObject
                == (try ServerConfiguration.parse("storage \"inmem\" {}\nlistener \"tcp\" { tls_disable = true }")))
    }

    @Test func commentsEscapesAndHeredocs() throws {
        let config = try ServerConfiguration.parse(
            #"""
            # a comment
            // another
            /* a block
               comment */
            storage "sqlite" { path = "/tmp/a \"quoted\"\tpath\u00e9\\" }   # trailing
            listener "tcp" { tls_disable = true, address = "127.0.0.1:1" }
            api_addr = <<EOF
            https://one
            EOF
            cluster_name = <<-END
                indented
                  more
                END
            """#)
        #expect(config.storagePath == "/tmp/a \"quoted\"\tpath\u{e9}\\")
        #expect(config.apiAddress == "https://one\n")
        #expect(config.clusterName == "indented\n  more\n")
        #expect(config.address == "127.0.0.1:1")
    }

    @Test func aZeroRequestSizeMeansTheDefaultAndTextMeansStandard() throws {
        let config = try ServerConfiguration.parse(
            minimal + "\nlistener \"tcp\" {\n tls_disable = true\n max_request_size = 0\n}\nlog_format = \"text\"")
        #expect(config.listeners[1].maxRequestSize == ServerConfiguration.defaultMaxRequestSize)
        #expect(config.logFormat == "standard")
    }

    @Test(arguments: [
        ("surprise = 1", #"config.hcl:3: unknown key "surprise""#),
        (
            "listener \"tcp\" {\n  tls_disable = true\n  adress = \"x\"\n}",
            #"config.hcl:5: unknown key "listener.tcp.adress""#
        ),
        ("seal \"static\" {\n kind = 1\n}", #"config.hcl:4: unknown key "seal.static.kind""#),
        (
            "telemetry {\n statsd_address = \"x\"\n}",
            #"config.hcl:4: "telemetry.statsd_address" is not supported by Coffer"#
        ),
        (
            "telemetry {\n circonus_api_token = \"x\"\n}",
            #"config.hcl:4: "telemetry.circonus_api_token" is not supported by Coffer"#
        ),
        ("ui = true", #"config.hcl:3: "ui" is not supported by Coffer"#),
        (
            "listener \"tcp\" {\n tls_disable = true\n tls_cipher_suites = \"x\"\n}",
            #"config.hcl:5: "listener.tcp.tls_cipher_suites" is not supported by Coffer"#
        ),
        (
            "listener \"tcp\" {\n tls_disable = true\n x_forwarded_for_hop_skips = 1\n}",
            #"config.hcl:5: "listener.tcp.x_forwarded_for_hop_skips" is not supported by Coffer"#
        ),
        (
            "listener \"tcp\" {\n tls_disable = true\n telemetry { other = 1 }\n}",
            #"config.hcl:5: unknown key "listener.tcp.telemetry.other""#
        ),
    ])
    func unknownAndUnsupportedKeysAreRefusedWithFileLineAndPath(extra: String, message: String) {
        #expect(refusal(minimal + "\n" + extra) == message)
    }

    @Test(arguments: [
        (
            "listener \"tcp\" {\n tls_disable = true\n max_connections = 0\n}",
            "config.hcl:5: listener.tcp.max_connections must be an integer between 1 and 1000000"
        ),
        (
            "listener \"tcp\" {\n tls_disable = true\n max_connections = 1e19\n}",
            "config.hcl:5: listener.tcp.max_connections must be an integer between 1 and 1000000"
        ),
        (
            "listener \"tcp\" {\n tls_disable = true\n max_connections = 99999999999999999999999\n}",
            "config.hcl:5: listener.tcp.max_connections must be an integer between 1 and 1000000"
        ),
        (
            "listener \"tcp\" {\n tls_disable = true\n max_request_size = -2\n}",
            "config.hcl:5: listener.tcp.max_request_size must be an integer of -1 or more"
        ),
        (
            "listener \"tcp\" {\n tls_disable = true\n address = \"nohost\"\n}",
            #"config.hcl:5: listener.tcp.address must be "host:port""#
        ),
        (
            "listener \"tcp\" {\n tls_disable = \"maybe\"\n}",
            "config.hcl:4: listener.tcp.tls_disable must be true or false"
        ),
        (
            "listener \"tcp\" {\n tls_disable = true\n http_read_header_timeout = \"9999999999999999h\"\n}",
            "config.hcl:5: listener.tcp.http_read_header_timeout must be a duration from 1s to 1h"
        ),
        (
            "listener \"tcp\" {\n tls_disable = true\n tls_min_version = \"tls9\"\n}",
            #"config.hcl:5: 'tls_min_version' value "tls9" not supported, please specify one of [tls10,tls11,tls12,tls13]"#
        ),
        (
            "listener \"tcp\" {\n tls_disable = true\n tls_max_version = 13\n}",
            #"config.hcl:5: 'tls_max_version' value "13" not supported, please specify one of [tls10,tls11,tls12,tls13]"#
        ),
        ("default_lease_ttl = true", "config.hcl:3: default_lease_ttl must be a duration greater than zero"),
        ("max_lease_ttl = \"-1s\"", "config.hcl:3: max_lease_ttl must be a duration greater than zero"),
        ("log_level = \"loud\"", #"config.hcl:3: log_level must be "trace", "debug", "info", "warn" or "error""#),
        ("log_format = \"xml\"", #"config.hcl:3: log_format must be "standard" or "json""#),
        ("disable_mlock = \"yes\"", "config.hcl:3: disable_mlock must be true or false"),
        ("cache_size = -1", "config.hcl:3: cache_size must be an integer from 0 to 100000000"),
        ("cache_size = 1.5", "config.hcl:3: cache_size must be an integer from 0 to 100000000"),
        ("cache_size = 100000001", "config.hcl:3: cache_size must be an integer from 0 to 100000000"),
        ("disable_cache = \"maybe\"", "config.hcl:3: disable_cache must be true or false"),
        ("api_addr = 5", "config.hcl:3: api_addr must be a string"),
        ("shutdown_grace_period = \"2h\"", "config.hcl:3: shutdown_grace_period must be a duration from 0s to 1h"),
        (
            "telemetry {\n usage_gauge_period = \"soon\"\n}",
            #"config.hcl:4: telemetry.usage_gauge_period must be a duration or "none" of 0s or more"#
        ),
        ("seal \"static\" {\n key_file = [\"a\"]\n}", "config.hcl:4: seal.static.key_file must be a string"),
    ])
    func badValuesAreRefusedWithFileLineAndPath(extra: String, message: String) {
        #expect(refusal(minimal + "\n" + extra) == message)
    }

    @Test func stanzasOfTheWrongShapeOrTypeAreRefused() {
        let listener = "listener \"tcp\" { tls_disable = true }\n"
        #expect(
            refusal(listener + "storage \"consul\" { address = \"x\" }")
                == #"config.hcl:2: storage "consul" is not supported by Coffer (use "sqlite", "postgresql" or "inmem")"#
        )
        #expect(
            refusal(listener + "storage \"sqlite\" {}") == "config.hcl:2: storage.sqlite.path is required")
        #expect(
            refusal(listener + "storage \"sqlite\" { path = \"\" }")
                == "config.hcl:2: storage.sqlite.path must be a string that is not empty")
        #expect(
            refusal(minimal + "\nlistener \"unix\" { address = \"/run/c.sock\" }")
                == #"config.hcl:3: listener "unix" is not supported by Coffer (only "tcp")"#)
        #expect(
            refusal("storage \"inmem\" {}\nlistener {\n  address = \"127.0.0.1:1\"\n}")
                == #"config.hcl:3: listener needs its type as a label: listener "tcp" { address = "127.0.0.1:8200" … }"#
        )
        #expect(
            refusal(minimal + "\nseal \"awskms\" {}")
                == #"config.hcl:3: seal "awskms" is not supported by Coffer: use seal "static" { key_file = "…" }, or no seal stanza for Shamir unseal keys"#
        )
        #expect(
            refusal(minimal + "\nstorage = \"sqlite\"")
                == #"config.hcl:3: "storage" must be a block: storage "sqlite" { path = "…" }"#)
        #expect(refusal(minimal + "\ntelemetry = 5") == #"config.hcl:3: "telemetry" must be a block, not a number"#)
    }

    @Test func checksAcrossKeys() {
        let storage = "storage \"inmem\" {}\n"
        #expect(
            refusal("listener \"tcp\" { tls_disable = true }", file: "a.hcl")
                == #"no storage stanza in a.hcl: add storage "sqlite" { path = "…" }"#)
        #expect(
            refusal(storage, file: "a.hcl")
                == #"no listener stanza in a.hcl: add listener "tcp" { address = "127.0.0.1:8200" … }"#)
        #expect(
            refusal(storage + "listener \"tcp\" {\n  address = \"0.0.0.0:8200\"\n}")
                == "config.hcl:2: listener.tcp has TLS on but no tls_cert_file or tls_key_file: set tls_cert_file and "
                + "tls_key_file, or tls_disable = true to serve plain HTTP")
        #expect(
            refusal(storage + "listener \"tcp\" {\n  tls_cert_file = \"c.pem\"\n}")
                == "config.hcl:2: listener.tcp has TLS on but no tls_key_file: set tls_cert_file and tls_key_file, "
                + "or tls_disable = true to serve plain HTTP")
        #expect(
            refusal(
                storage + "listener \"tcp\" {\n tls_cert_file = \"c\"\n tls_key_file = \"k\"\n"
                    + " tls_disable_client_certs = true\n tls_require_and_verify_client_cert = true\n}")
                == "config.hcl:2: 'tls_disable_client_certs' and 'tls_require_and_verify_client_cert' are mutually exclusive"
        )
        #expect(
            refusal(minimal + "\n\ndefault_lease_ttl = \"2h\"\nmax_lease_ttl = \"1h\"")
                == "config.hcl:4: default_lease_ttl (7200s) cannot be greater than max_lease_ttl (3600s)")
    }

    @Test func theEnvironmentWinsOverTheFile() throws {
        var config = try ServerConfiguration.parse(minimal + "\napi_addr = \"http://file\"\ncluster_addr = \"x\"")
        try config.applyEnvironment([
            "VAULT_API_ADDR": "https://env:8200", "VAULT_CLUSTER_ADDR": "", "VAULT_DISABLE_MLOCK": "true",
        ])
        #expect(config.apiAddress == "https://env:8200" && config.clusterAddress == "x" && config.disableMlock)
        #expect(throws: ConfigurationError("VAULT_DISABLE_MLOCK must be true or false")) {
            try config.applyEnvironment(["VAULT_DISABLE_MLOCK": "maybe"])
        }
    }

    @Test func loadReportsUnreadableAndEmptyFiles() async throws {
        try await TemporaryDirectory.with(prefix: "coffer-config") { directory in
            let missing = directory.appendingPathComponent("missing.hcl").path
            #expect(throws: ConfigurationError("cannot read configuration file \(missing)")) {
                try ServerConfiguration.load(path: missing)
            }
            let array = directory.appendingPathComponent("array.json")
            try Data("[1]".utf8).write(to: array)
            #expect(throws: ConfigurationError("\(array.path):1: the configuration must be a JSON object")) {
                try ServerConfiguration.load(path: array.path)
            }
            let blank = directory.appendingPathComponent("blank.hcl")
            try Data(" \n".utf8).write(to: blank)
            #expect(throws: ConfigurationError("configuration file \(blank.path) is empty")) {
                try ServerConfiguration.load(path: blank.path)
            }
            let good = directory.appendingPathComponent("good.hcl")
            try Data(minimal.utf8).write(to: good)
            #expect(try ServerConfiguration.load(path: good.path).storagePath == "/tmp/c.db")
        }
    }
}
