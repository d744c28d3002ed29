import Foundation

/// The endpoints of one Azure cloud (docs/azure-auth.md § Clouds).
///
/// ```swift
/// let cloud = try AzureCloud.named("azurechinacloud", environment: ProcessInfo.processInfo.environment)
/// cloud.armScope                     // "https://management.core.chinacloudapi.cn/.default"
/// let stack = try AzureCloud.named("AzureStackCloud", environment: ["AZURE_ENVIRONMENT_FILEPATH": "/etc/azs.json"])
/// ```
public struct AzureCloud: Sendable, Equatable {
    public var name: String
    /// Entra ID authority host, e.g. `https://login.microsoftonline.com/`.
    public var activeDirectoryEndpoint: String
    /// ARM base, e.g. `https://management.azure.com`.
    public var resourceManagerEndpoint: String
    /// ARM token audience, e.g. `https://management.core.windows.net/`.
    public var tokenAudience: String
    /// Microsoft Graph base, e.g. `https://graph.microsoft.com`; empty when the cloud has none.
    public var microsoftGraphEndpoint: String

    /// A custom cloud; every endpoint must be `https://` unless its host is loopback.
    public init(
        name: String, activeDirectoryEndpoint: String, resourceManagerEndpoint: String, tokenAudience: String,
        microsoftGraphEndpoint: String
    ) throws(AzureError) {
        try AzureURL.requireSecure(activeDirectoryEndpoint, what: "activeDirectoryEndpoint")
        try AzureURL.requireSecure(resourceManagerEndpoint, what: "resourceManagerEndpoint")
        if !microsoftGraphEndpoint.isEmpty {
            try AzureURL.requireSecure(microsoftGraphEndpoint, what: "microsoftGraphEndpoint")
        }
        self.init(
            unchecked: name, activeDirectoryEndpoint, resourceManagerEndpoint, tokenAudience, microsoftGraphEndpoint)
    }

    private init(unchecked name: String, _ aad: String, _ arm: String, _ audience: String, _ graph: String) {
        self.name = name
        self.activeDirectoryEndpoint = aad
        self.resourceManagerEndpoint = arm
        self.tokenAudience = audience
        self.microsoftGraphEndpoint = graph
    }

    public static let publicCloud = AzureCloud(
        unchecked: "AzurePublicCloud", "https://login.microsoftonline.com/", "https://management.azure.com",
        "https://management.core.windows.net/", "https://graph.microsoft.com")
    public static let usGovernmentCloud = AzureCloud(
        unchecked: "AzureUSGovernmentCloud", "https://login.microsoftonline.us/",
        "https://management.usgovcloudapi.net", "https://management.core.usgovcloudapi.net",
        "https://graph.microsoft.us")
    public static let chinaCloud = AzureCloud(
        unchecked: "AzureChinaCloud", "https://login.chinacloudapi.cn/", "https://management.chinacloudapi.cn",
        "https://management.core.chinacloudapi.cn", "https://microsoftgraph.chinacloudapi.cn")

    /// The scope of ARM access tokens: `<tokenAudience>/.default` (docs/azure-auth.md § Clouds).
    public var armScope: String { AzureURL.join(tokenAudience, ".default") }
    /// The scope of Microsoft Graph access tokens: `<microsoftGraphEndpoint>/.default`.
    public var graphScope: String { AzureURL.join(microsoftGraphEndpoint, ".default") }

    /// The cloud for an `environment` value (empty means public). `AzureStackCloud` reads the JSON file
    /// named by `AZURE_ENVIRONMENT_FILEPATH` in `environment`.
    public static func named(_ name: String, environment: [String: String]) throws(AzureError) -> AzureCloud {
        switch name.uppercased() {
        case "", "AZUREPUBLICCLOUD": return .publicCloud
        case "AZUREUSGOVERNMENTCLOUD": return .usGovernmentCloud
        case "AZURECHINACLOUD": return .chinaCloud
        case "AZURESTACKCLOUD": return try stackCloud(path: environment["AZURE_ENVIRONMENT_FILEPATH"] ?? "")
        case "AZUREGERMANCLOUD":
            throw AzureError.configuration("AzureGermanCloud was retired by Microsoft; use AzurePublicCloud")
        default:
            throw AzureError.configuration("err: no cloud configuration matching the name \"\(name.uppercased())\"")
        }
    }

    /// An Azure Stack environment file: `name`, `activeDirectoryEndpoint`, `resourceManagerEndpoint`,
    /// `microsoftGraphEndpoint`, `tokenAudience` (defaults to `resourceManagerEndpoint`).
    static func stackCloud(path: String) throws(AzureError) -> AzureCloud {
        guard !path.isEmpty else {
            throw AzureError.configuration(
                "environment AzureStackCloud needs AZURE_ENVIRONMENT_FILEPATH to name an environment file")
        }
        let file: StackFile
        do {
            file = try JSONDecoder().decode(StackFile.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw AzureError.configuration("unable to read the Azure Stack environment file \"\(path)\": \(error)")
        }
        guard let aad = file.activeDirectoryEndpoint, !aad.isEmpty, let arm = file.resourceManagerEndpoint, !arm.isEmpty
        else {
            throw AzureError.configuration(
                "the Azure Stack environment file \"\(path)\" needs activeDirectoryEndpoint and resourceManagerEndpoint"
            )
        }
        let audience = file.tokenAudience.flatMap { $0.isEmpty ? nil : $0 } ?? arm
        return try AzureCloud(
            name: file.name.flatMap { $0.isEmpty ? nil : $0 } ?? "AzureStackCloud", activeDirectoryEndpoint: aad,
            resourceManagerEndpoint: arm, tokenAudience: audience,
            microsoftGraphEndpoint: file.microsoftGraphEndpoint ?? "")
    }

    private struct StackFile: Decodable {
        var name: String?
        var activeDirectoryEndpoint: String?
        var resourceManagerEndpoint: String?
        var microsoftGraphEndpoint: String?
        var tokenAudience: String?
    }
}
