/// Why an Azure login failed, naming the step: setup, getting the access token (and from where),
/// reading instance metadata, or the login call itself (the Go helper's wordings).
///
/// ```swift
/// do { try await client.login(AzureAuthLogin(role: "web")) }
/// catch let error as AzureAuthLoginError { print(error) }
/// // unable to get access token: IMDS is unreachable at http://169.254.169.254/…: connection refused
/// ```
public struct AzureAuthLoginError: Error, Sendable, CustomStringConvertible {
    public enum Step: String, Sendable {
        case configuration
        case accessToken
        case instanceMetadata
        case login
    }

    public let step: Step
    /// What went wrong, without the step's prefix.
    public let detail: String
    /// The server's answer when the login call was refused.
    public let apiError: VaultAPIError?

    init(_ step: Step, _ detail: String, apiError: VaultAPIError? = nil) {
        self.step = step
        self.detail = detail
        self.apiError = apiError
    }

    public var description: String {
        switch step {
        case .configuration: return detail
        case .accessToken: return "unable to get access token: \(detail)"
        case .instanceMetadata: return "unable to get instance metadata: \(detail)"
        case .login: return "unable to log in with Azure auth: \(detail)"
        }
    }
}
