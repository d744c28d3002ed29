import CofferConfig
import Testing

/// Flags, environment, file and defaults, resolved in one place with a flag winning over its variable.
@Suite struct ServerLaunchTests {
    private func file(_ config: ServerConfiguration) -> ([String]) throws(ConfigurationError) -> ServerConfiguration {
        { _ throws(ConfigurationError) in config }
    }

    @Test func devTakesFlagsThenEnvironmentThenDefaults() throws {
        var options = ServerOptions()
        options.dev = true
        let bare = try ServerLaunch.resolve(options, environment: [:])
        #expect(bare == .dev(ServerConfiguration(), rootTokenID: nil))

        let environment = [
            "VAULT_DEV_ROOT_TOKEN_ID": "env-root", "VAULT_DEV_LISTEN_ADDRESS": "127.0.0.1:9999",
            "VAULT_LOG_LEVEL": "debug", "VAULT_LOG_FORMAT": "json",
        ]
        guard case .dev(let fromEnvironment, let envRoot) = try ServerLaunch.resolve(options, environment: environment)
        else { Issue.record("not dev"); return }
        #expect(envRoot == "env-root")
        #expect(fromEnvironment.address == "127.0.0.1:9999")
        #expect(fromEnvironment.logLevel == "debug" && fromEnvironment.logFormat == "json")

        options.devRootTokenID = "flag-root"
        options.devListenAddress = "127.0.0.1:1"
        options.logLevel = "error"
        guard case .dev(let fromFlags, let flagRoot) = try ServerLaunch.resolve(options, environment: environment)
        else { Issue.record("not dev"); return }
        #expect(flagRoot == "flag-root")
        #expect(fromFlags.address == "127.0.0.1:1" && fromFlags.logLevel == "error" && fromFlags.logFormat == "json")
    }

    @Test func emptyVariablesCountAsUnset() throws {
        var options = ServerOptions()
        options.dev = true
        let launch = try ServerLaunch.resolve(
            options,
            environment: ["VAULT_DEV_ROOT_TOKEN_ID": "", "VAULT_DEV_LISTEN_ADDRESS": "", "VAULT_LOG_LEVEL": ""])
        #expect(launch == .dev(ServerConfiguration(), rootTokenID: nil))
        options.devRootTokenID = ""
        #expect(try ServerLaunch.resolve(options, environment: [:]) == .dev(ServerConfiguration(), rootTokenID: nil))
    }

    @Test func persistentLayersFlagsAndEnvironmentOverTheFile() throws {
        var stored = ServerConfiguration()
        stored.storagePath = "db"
        stored.logLevel = "warn"
        stored.logFormat = "json"
        stored.sealKeyFile = "/etc/seal.key"
        var options = ServerOptions()
        options.configPaths = ["coffer.hcl"]
        #expect(
            try ServerLaunch.resolve(options, environment: [:], load: file(stored))
                == .persistent(stored, sealKey: .file("/etc/seal.key")))

        guard
            case .persistent(let fromEnvironment, _) = try ServerLaunch.resolve(
                options, environment: ["VAULT_LOG_LEVEL": "trace"], load: file(stored))
        else { Issue.record("not persistent"); return }
        #expect(fromEnvironment.logLevel == "trace" && fromEnvironment.logFormat == "json")

        options.logLevel = "error"
        options.logFormat = "text"
        guard
            case .persistent(let fromFlags, _) = try ServerLaunch.resolve(
                options, environment: ["VAULT_LOG_LEVEL": "trace"], load: file(stored))
        else { Issue.record("not persistent"); return }
        #expect(fromFlags.logLevel == "error" && fromFlags.logFormat == "text")
    }

    /// No `seal` stanza is the Shamir seal: no key is needed, the server starts sealed (docs/seal.md).
    @Test func noSealStanzaIsTheShamirSealWithoutAKey() throws {
        var stored = ServerConfiguration()
        stored.storagePath = "db"
        stored.sealType = nil
        var options = ServerOptions()
        options.configPaths = ["coffer.hcl"]
        #expect(
            try ServerLaunch.resolve(options, environment: ["COFFER_SEAL_KEY": "ignored"], load: file(stored))
                == .persistent(stored, sealKey: nil))
    }

    @Test func theSealKeyComesFromTheFileOrTheNamedVariable() throws {
        var stored = ServerConfiguration()
        stored.storagePath = "db"
        var options = ServerOptions()
        options.configPaths = ["coffer.hcl"]
        #expect(
            try ServerLaunch.resolve(options, environment: ["COFFER_SEAL_KEY": "k1"], load: file(stored))
                == .persistent(stored, sealKey: .text("k1")))
        #expect(
            throws: ConfigurationError(
                "no seal key: set seal.key_file in the configuration or the COFFER_SEAL_KEY environment variable")
        ) {
            try ServerLaunch.resolve(options, environment: ["COFFER_SEAL_KEY": ""], load: file(stored))
        }
        stored.sealKeyEnv = "MY_KEY"
        #expect(
            try ServerLaunch.resolve(
                options, environment: ["MY_KEY": "k2", "COFFER_SEAL_KEY": "k1"], load: file(stored))
                == .persistent(stored, sealKey: .text("k2")))
        #expect(SealKeySource.text("k2").description == "key from the environment")
    }

    @Test func everyConfigPathReachesTheLoaderInOrderAndVaultVariablesWin() throws {
        var stored = ServerConfiguration()
        stored.sealKeyFile = "/etc/seal.key"
        stored.apiAddress = "http://from-file"
        var options = ServerOptions()
        options.configPaths = ["base.hcl", "conf.d", "extra.json"]
        var seen: [String] = []
        let launch = try ServerLaunch.resolve(
            options, environment: ["VAULT_API_ADDR": "https://from-env:8200", "VAULT_DISABLE_MLOCK": "1"]
        ) { paths throws(ConfigurationError) in
            seen = paths
            return stored
        }
        #expect(seen == ["base.hcl", "conf.d", "extra.json"])
        guard case .persistent(let config, _) = launch else { Issue.record("not persistent"); return }
        #expect(config.apiAddress == "https://from-env:8200" && config.disableMlock)
    }

    @Test func noModeIsRefused() {
        #expect(throws: ConfigurationError("either -dev or -config=<file> is required")) {
            try ServerLaunch.resolve(ServerOptions(), environment: [:])
        }
    }
}
