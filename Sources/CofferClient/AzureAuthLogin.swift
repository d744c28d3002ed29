import CofferJSON
import Foundation

/// Logs in to an `azure` auth mount with the managed identity of the machine or workload it runs on
/// (the Go helper `auth.NewAzureAuth`, plus App Service, Arc, ACI, AKS workload identity and a chosen
/// user-assigned identity).
///
/// ```swift
/// let client = try VaultClient()                                    // VAULT_ADDR
/// let azure = try AzureAuthLogin(role: "dev-role-azure")            // mount `azure`, ARM audience
/// guard let answer = try await client.login(azure) else { … }      // client now uses the token
/// let pinned = try AzureAuthLogin(role: "web", identity: .clientID("f0e1d2c3-…"))
/// ```
///
/// The token comes from the first source the environment offers (see ``AzureCredentialSource``):
/// an explicit `jwt`; AKS workload identity (`AZURE_FEDERATED_TOKEN_FILE` + `AZURE_CLIENT_ID` +
/// `AZURE_TENANT_ID`); App Service / Functions (`IDENTITY_ENDPOINT` + `IDENTITY_HEADER`); Azure Arc
/// (`IDENTITY_ENDPOINT` + `IMDS_ENDPOINT`); else IMDS at `AZURE_POD_IDENTITY_AUTHORITY_HOST` or
/// `http://169.254.169.254`. Gathering the token and metadata takes at most ``deadline``.
public struct AzureAuthLogin: VaultAuthMethod {
    /// A user-assigned identity, named the way IMDS does (`client_id`, `object_id`, `msi_res_id`).
    public enum Identity: Sendable, Equatable {
        case clientID(String)
        case objectID(String)
        case resourceID(String)
    }

    /// What will be sent to `auth/<mount>/login`.
    public struct Credentials: Sendable, Equatable {
        public var source: AzureCredentialSource
        public var jwt: String
        /// `subscription_id`, `resource_group_name`, `vm_name`, `vmss_name`, `resource_id` as found.
        public var fields: [String: String]
    }

    public static let defaultMountPath = "azure"
    public static let defaultResource = "https://management.azure.com/"
    /// The login fields a caller may set explicitly.
    public static let loginFieldNames: Set<String> = [
        "subscription_id", "resource_group_name", "vm_name", "vmss_name", "resource_id",
    ]

    public let role: String
    public let mountPath: String
    public let resource: String
    public let identity: Identity?
    public let jwt: String?
    /// Sent as given, replacing what the source found (e.g. `vm_name` for a JWT obtained elsewhere).
    public let loginFields: [String: String]
    /// Budget for getting the token and metadata (retries included).
    public let deadline: Duration
    let environment: [String: String]

    /// Checks the options; throws ``AzureAuthLoginError`` (step `configuration`) when they cannot work.
    public init(
        role: String, mountPath: String = defaultMountPath, resource: String = defaultResource,
        identity: Identity? = nil, jwt: String? = nil, loginFields: [String: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment, deadline: Duration = .seconds(60)
    ) throws {
        guard !role.isEmpty else { throw AzureAuthLoginError(.configuration, "no role name provided for login") }
        let mount = mountPath.split(separator: "/").joined(separator: "/")
        guard !mount.isEmpty else { throw AzureAuthLoginError(.configuration, "no mount path provided for login") }
        guard !resource.isEmpty else { throw AzureAuthLoginError(.configuration, "no resource provided for login") }
        if let unknown = loginFields.keys.sorted().first(where: { !Self.loginFieldNames.contains($0) }) {
            throw AzureAuthLoginError(.configuration, "unknown login field \(unknown)")
        }
        if let identity {
            switch identity {
            case .clientID(let value), .objectID(let value), .resourceID(let value):
                guard !value.isEmpty else {
                    throw AzureAuthLoginError(.configuration, "an empty user-assigned identity was given")
                }
            }
        }
        self.role = role
        self.mountPath = mount
        self.resource = resource
        self.identity = identity
        self.jwt = jwt.flatMap { $0.isEmpty ? nil : $0 }
        self.loginFields = loginFields
        self.environment = environment
        self.deadline = deadline
        // Fails early on a malformed endpoint variable, before any request.
        _ = try source
    }

    /// The source this environment selects.
    public var source: AzureCredentialSource {
        get throws { try AzureCredentialSource.select(jwt: jwt, environment: environment) }
    }

    /// Gets the token and the login fields without logging in.
    public func credentials() async throws -> Credentials {
        let source = try self.source
        let deadline = ContinuousClock.now + self.deadline
        var credentials = try await AzureEndpointClient.with(deadline: deadline) { http in
            try await source.credentials(resource: resource, identity: identity, environment: environment, http: http)
        }
        credentials.fields.merge(loginFields) { _, given in given }
        return credentials
    }

    /// `PUT auth/<mount>/login` with `role`, `jwt` and the fields found (no `X-Vault-Token`).
    public func login(using client: VaultClient) async throws -> VaultResponse {
        let credentials = try await credentials()
        var body: [String: JSONValue] = ["role": .string(role), "jwt": .string(credentials.jwt)]
        for (key, value) in credentials.fields where !value.isEmpty { body[key] = .string(value) }
        do {
            return try await client.request(
                "PUT", "auth/\(mountPath)/login", body: .object(body), headers: ["X-Vault-Token": ""])
        } catch let error as VaultAPIError {
            throw AzureAuthLoginError(.login, error.description, apiError: error)
        } catch {
            throw AzureAuthLoginError(.login, String(describing: error))
        }
    }
}
