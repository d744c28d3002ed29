import AzureKit
import Logging

extension AzureAuthMethod {
    /// Warnings for the server's log at start about Azure settings in its environment that only suit a test bed:
    /// endpoints reached over plain `http://` on loopback, as the Azure simulator's are. A server left with them
    /// would check Azure logins against whatever listens on that port.
    ///
    /// ```swift
    /// for warning in AzureAuthMethod.startupWarnings(environment: ProcessInfo.processInfo.environment) {
    ///     warning.log(to: logger)
    /// }
    /// ```
    public static func startupWarnings(environment: [String: String]) -> [AzureStartupWarning] {
        var warnings: [AzureStartupWarning] = []
        if let path = environment["AZURE_ENVIRONMENT_FILEPATH"], !path.isEmpty,
            let cloud = try? AzureCloud.named("AzureStackCloud", environment: environment)
        {
            let endpoints = [
                ("activeDirectoryEndpoint", cloud.activeDirectoryEndpoint),
                ("resourceManagerEndpoint", cloud.resourceManagerEndpoint),
                ("microsoftGraphEndpoint", cloud.microsoftGraphEndpoint),
            ].filter { isPlainLoopbackHTTP($0.1) }
            if !endpoints.isEmpty {
                var metadata = ["path": path]
                for (name, url) in endpoints { metadata[name] = url }
                warnings.append(
                    AzureStartupWarning(
                        message: "AZURE_ENVIRONMENT_FILEPATH points Azure at plain http on loopback: these are Azure "
                            + "simulator settings, and mounts with environment AzureStackCloud would trust whatever "
                            + "listens there; remove them from a production server",
                        metadata: metadata))
            }
        }
        if let host = environment["AZURE_POD_IDENTITY_AUTHORITY_HOST"], isPlainLoopbackHTTP(host) {
            warnings.append(
                AzureStartupWarning(
                    message: "AZURE_POD_IDENTITY_AUTHORITY_HOST sends managed-identity token requests over plain http "
                        + "to loopback, as with the Azure simulator; remove it from a production server",
                    metadata: ["host": host]))
        }
        return warnings
    }

    static func isPlainLoopbackHTTP(_ url: String) -> Bool {
        url.lowercased().hasPrefix("http://") && AzureURL.isLoopback(url)
    }
}

/// One start-up warning of ``AzureAuthMethod/startupWarnings(environment:)``: a fixed message, and the settings it is
/// about as log metadata (never in the message text).
///
/// ```swift
/// warning.log(to: logger)   // warning: AZURE_POD_IDENTITY_AUTHORITY_HOST sends … host=http://127.0.0.1:4000
/// ```
public struct AzureStartupWarning: Sendable, Equatable {
    public var message: String
    public var metadata: [String: String]

    public init(message: String, metadata: [String: String]) {
        self.message = message
        self.metadata = metadata
    }

    public func log(to logger: Logger) {
        logger.warning(Logger.Message(stringLiteral: message), metadata: metadata.mapValues { .string($0) })
    }
}
