/// How the server starts, with every setting resolved in one place: a flag wins over its environment
/// variable, which wins over the configuration file, which wins over the default.
///
/// ```swift
/// switch try ServerLaunch.resolve(options, environment: ProcessInfo.processInfo.environment) {
/// case .dev(let config, let rootTokenID): …
/// case .persistent(let config, let sealKey): …   // sealKey nil: the Shamir seal
/// }
/// ```
public enum ServerLaunch: Sendable, Equatable {
    /// In memory and unsealed; `rootTokenID` is nil for a random one.
    case dev(ServerConfiguration, rootTokenID: String?)
    /// From the configuration file. `sealKey` is the static seal's key (`seal "static"`), which unseals the
    /// server on every start; nil (no `seal` stanza) is the Shamir seal: the server starts sealed.
    case persistent(ServerConfiguration, sealKey: SealKeySource?)

    /// `load` reads and merges the configuration files (a parameter so tests need no file).
    public static func resolve(
        _ options: ServerOptions, environment: [String: String],
        load: ([String]) throws(ConfigurationError) -> ServerConfiguration = ServerConfiguration.load(paths:)
    ) throws(ConfigurationError) -> ServerLaunch {
        typealias Variable = ServerEnvironmentVariable
        if options.dev {
            var config = ServerConfiguration()
            config.address =
                options.devListenAddress ?? Variable.devListenAddress.value(in: environment) ?? config.address
            config.logLevel = options.logLevel ?? Variable.logLevel.value(in: environment) ?? config.logLevel
            config.logFormat = options.logFormat ?? Variable.logFormat.value(in: environment) ?? config.logFormat
            let rootTokenID = options.devRootTokenID ?? Variable.devRootTokenID.value(in: environment)
            return .dev(config, rootTokenID: rootTokenID?.isEmpty == false ? rootTokenID : nil)
        }
        guard !options.configPaths.isEmpty else {
            throw ConfigurationError("either -dev or -config=<file> is required")
        }
        var config = try load(options.configPaths)
        try config.applyEnvironment(environment)
        config.logLevel = options.logLevel ?? Variable.logLevel.value(in: environment) ?? config.logLevel
        config.logFormat = options.logFormat ?? Variable.logFormat.value(in: environment) ?? config.logFormat
        guard config.sealType != nil else { return .persistent(config, sealKey: nil) }
        if let file = config.sealKeyFile { return .persistent(config, sealKey: .file(file)) }
        guard let text = environment[config.sealKeyEnv], !text.isEmpty else {
            throw ConfigurationError(
                "no seal key: set seal.key_file in the configuration or the \(config.sealKeyEnv) environment variable")
        }
        return .persistent(config, sealKey: .text(text))
    }
}
