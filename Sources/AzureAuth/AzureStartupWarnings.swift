import AzureKit

extension AzureAuthMethod {
    /// Lines for the server's log at start about Azure settings in its environment that only suit a test bed:
    /// endpoints reached over plain `http://` on loopback, as the Azure simulator's are. A server left with them
    /// would check Azure logins against whatever listens on that port.
    ///
    /// ```swift
    /// for line in AzureAuthMethod.startupWarnings(environment: ProcessInfo.processInfo.environment) {
    ///     logger.warning("\(line)")
    /// }
    /// ```
    public static func startupWarnings(environment: [String: String]) -> [String] {
        var warnings: [String] = []
        if let path = environment["AZURE_ENVIRONMENT_FILEPATH"], !path.isEmpty,
            let cloud = try? AzureCloud.named("AzureStackCloud", environment: environment)
        {
            let endpoints = [
                ("activeDirectoryEndpoint", cloud.activeDirectoryEndpoint),
                ("resourceManagerEndpoint", cloud.resourceManagerEndpoint),
                ("microsoftGraphEndpoint", cloud.microsoftGraphEndpoint),
            ].filter { isPlainLoopbackHTTP($0.1) }
            if !endpoints.isEmpty {
                let named = endpoints.map { "\($0.0) \($0.1)" }.joined(separator: ", ")
                warnings.append(
                    "AZURE_ENVIRONMENT_FILEPATH (\(path)) points Azure at plain http on loopback (\(named)): "
                        + "these are Azure simulator settings, and mounts with environment AzureStackCloud would "
                        + "trust whatever listens there; remove them from a production server")
            }
        }
        if let host = environment["AZURE_POD_IDENTITY_AUTHORITY_HOST"], isPlainLoopbackHTTP(host) {
            warnings.append(
                "AZURE_POD_IDENTITY_AUTHORITY_HOST (\(host)) sends managed-identity token requests over plain http "
                    + "to loopback, as with the Azure simulator; remove it from a production server")
        }
        return warnings
    }

    static func isPlainLoopbackHTTP(_ url: String) -> Bool {
        url.lowercased().hasPrefix("http://") && AzureURL.isLoopback(url)
    }
}
