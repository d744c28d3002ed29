import AzureKit
import CofferFramework
import CofferStorage
import Foundation
import Logging

/// The Azure auth method (mount type `azure`): `config`, `role/<name>`, `role/` and `login`
/// (docs/azure-auth.md, which marks where Coffer departs from Vault's plugin).
///
/// ```swift
/// configuration.catalog.append(
///     AzureAuthMethod.factory(environment: environment, logger: logger) {
///         AzureKitServicesFactory(environment: environment, logger: logger, version: CofferVersion.string)
///     })
/// ```
public enum AzureAuthMethod {
    /// The catalog entry. `makeServices` builds Azure clients per mount (production: AzureKit over HTTP);
    /// `rotation` sets root-rotation timing and fault points (production: the defaults).
    public static func factory(
        environment: [String: String], logger: Logger, rotation: AzureRotationKnobs = AzureRotationKnobs(),
        makeServicesFactory: @escaping @Sendable () -> any AzureServicesFactory
    ) -> BackendFactory {
        BackendFactory(type: "azure", kind: .credential) { configuration in
            AzureAuthBackend(
                environment: environment, services: makeServicesFactory(), logger: logger,
                pluginIdentityToken: configuration.pluginIdentityToken, rotation: rotation
            ).backend
        }
    }
}

/// One mounted Azure auth method: its path table, lifecycle hooks, the services its logins share and its decoded
/// roles.
///
/// ```swift
/// let backend = AzureAuthBackend(environment: env, services: AzureKitServicesFactory(…), logger: logger).backend
/// ```
final class AzureAuthBackend: Sendable {
    let environment: [String: String]
    let servicesFactory: any AzureServicesFactory
    let logger: Logger
    /// Coffer's own identity tokens for this mount (workload identity federation with `identity_token_audience`).
    let pluginIdentityToken: PluginIdentityTokenSource?
    let rotation: RootRotation
    /// The Azure clients of the current configuration (``AzureServicesCache``).
    let cachedServices = AzureServicesCache<AzureServices>(
        renewalInterval: AzureAuthBackend.credentialRenewalInterval)
    let decodedRoles = DecodedRoleCache<AzureRole>()
    let loginMetrics = AzureLoginMetrics()

    /// Services as one login got them, with the counters it saw.
    typealias ServicesLease = AzureServicesCache<AzureServices>.Lease

    /// How often ARM rejecting Coffer's access token may replace the credential.
    static let credentialRenewalInterval = Duration.seconds(30)

    init(
        environment: [String: String], services: any AzureServicesFactory, logger: Logger,
        pluginIdentityToken: PluginIdentityTokenSource? = nil, rotation: AzureRotationKnobs = AzureRotationKnobs()
    ) {
        self.environment = environment
        self.servicesFactory = services
        self.logger = logger
        self.pluginIdentityToken = pluginIdentityToken
        self.rotation = RootRotation(knobs: rotation, logger: logger)
    }

    var backend: FrameworkBackend {
        FrameworkBackend(
            kind: .credential,
            paths: [
                PathDefinition(
                    "config", fields: AzureConfig.fields,
                    operations: [
                        .read: PathOperation("Read the configuration") { request, _ in
                            guard let config = try await self.loadConfig(request.storage) else { return nil }
                            return LogicalResponse(data: try await self.configReadData(config, request.storage))
                        },
                        .create: PathOperation("Configure the method") { request, fields in
                            try await self.writeConfig(request, fields)
                        },
                        .update: PathOperation("Configure the method") { request, fields in
                            try await self.writeConfig(request, fields)
                        },
                        .delete: PathOperation("Delete the configuration") { request, _ in
                            try await request.storage.delete(AzureConfig.storageKey)
                            self.dropServices()
                            return nil
                        },
                    ],
                    existenceCheck: { request, _ in try await request.storage.get(AzureConfig.storageKey) != nil },
                    synopsis: "Configures the Azure tenant, audience and the credentials Coffer uses to call Azure."),
                PathDefinition(
                    "role/?",
                    operations: [
                        .list: PathOperation("List roles") { request, _ in
                            .list(try await request.storage.list(prefix: "role/").filter { !$0.hasSuffix("/") })
                        }
                    ], synopsis: "Lists the roles."),
                PathDefinition(
                    "role/{name}", fields: AzureRole.fields,
                    operations: [
                        .read: PathOperation("Read a role") { request, fields in
                            try await self.loadRole(request.storage, fields.string("name")).map {
                                LogicalResponse(data: $0.readData())
                            }
                        },
                        .create: PathOperation("Create a role") { request, fields in
                            try await self.writeRole(request, fields)
                        },
                        .update: PathOperation("Update a role") { request, fields in
                            try await self.writeRole(request, fields)
                        },
                        .delete: PathOperation("Delete a role") { request, fields in
                            try await request.storage.delete("role/" + fields.string("name").lowercased())
                            self.forgetDecodedRoles()
                            return nil
                        },
                    ],
                    existenceCheck: { request, fields in
                        try await self.loadRole(request.storage, fields.string("name")) != nil
                    }, synopsis: "Manages the roles machines log in with."),
                PathDefinition(
                    "login", fields: Self.loginFields,
                    operations: [
                        .update: PathOperation("Log in with an Azure managed identity token") { request, fields in
                            try await self.meteredLogin(request, fields)
                        }
                    ],
                    synopsis: "Logs in with the JWT of an Azure managed identity.", unauthenticated: true),
            ] + rotationPaths,
            help: "The Azure auth method lets Azure machines and services log in with their managed identity's token.",
            renew: { auth, request in try await self.renew(auth, request) },
            cleanup: { await self.servicesFactory.shutdown() },
            periodic: rotationPeriodic, walRollback: rotationRollback)
    }

    static let loginFields: [String: FieldSchema] = [
        "role": FieldSchema(.string, description: "The role to log in with"),
        "jwt": FieldSchema(.string, description: "The managed identity's access token"),
        "subscription_id": FieldSchema(.string, description: "Subscription of the machine"),
        "resource_group_name": FieldSchema(.string, description: "Resource group of the machine"),
        "vm_name": FieldSchema(.string, description: "Name of the virtual machine"),
        "vmss_name": FieldSchema(.string, description: "Name of the virtual machine scale set"),
        "resource_id": FieldSchema(.string, description: "ARM id of the resource (App Service, Functions, …)"),
    ]

    // MARK: config

    func loadConfig(_ storage: any Storage) async throws -> AzureConfig? {
        try await storage.getJSON(AzureConfig.self, AzureConfig.storageKey)
    }

    func writeConfig(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        // A promotion rewrites the config too; neither may overwrite the other's secret.
        await rotation.lock.lock()
        defer { rotation.lock.unlock() }
        let old = try await loadConfig(request.storage)
        var config = old ?? AzureConfig()
        try config.merge(fields)
        // Validate offline (a config write never contacts Azure): tenant, resource and cloud must resolve.
        _ = try settings(for: config)
        try await request.storage.putJSON(AzureConfig.storageKey, config)
        try await configWritten(old: old, new: config, fields: fields, request.storage)
        dropServices()
        return nil
    }

    func settings(for config: AzureConfig) throws -> AzureSettings {
        do {
            return try AzureSettings.resolve(
                tenantID: config.tenantID, resource: config.resource, clientID: config.clientID,
                clientSecret: config.clientSecret, environmentName: config.environment,
                identityTokenAudience: config.identityTokenAudience,
                identityTokenTTL: Self.identityTokenTTL(config.identityTokenTTL), retry: Self.retryPolicy(config),
                environment: environment)
        } catch {
            throw LogicalError.badRequest(error.description)
        }
    }

    /// The stored retry settings within the ranges a write accepts today (a config stored by an older version may
    /// hold anything an Int64 can).
    static func retryPolicy(_ config: AzureConfig) -> AzureRetryPolicy {
        func clamp(_ value: Int64, _ range: ClosedRange<Int64>) -> Int64 {
            min(max(value, range.lowerBound), range.upperBound)
        }
        return AzureRetryPolicy(
            maxRetries: Int(clamp(config.maxRetries, AzureConfig.maxRetriesRange)),
            retryDelay: Double(clamp(config.retryDelay, AzureConfig.retryDelayRange)),
            maxRetryDelay: Double(clamp(config.maxRetryDelay, AzureConfig.retryDelayRange)))
    }

    /// Plugin identity tokens live at most a day: the issuer retires a signing key a day after replacing it, so a
    /// longer-lived token would stop verifying anyway (Vault core caps them at its key's verification TTL too).
    /// The cap also keeps the issuer's `now + ttl` far from overflow.
    static func identityTokenTTL(_ stored: Int64) -> Int { Int(min(max(stored, 1), 86_400)) }

    func services(_ storage: any Storage) async throws -> ServicesLease {
        try await cachedServices.lease { try await buildServices(storage) }
    }

    private func buildServices(_ storage: any Storage) async throws -> AzureServices {
        let config = try await loadConfig(storage) ?? AzureConfig()
        do {
            return try servicesFactory.makeServices(try settings(for: config), pluginIdentityToken: pluginIdentityToken)
        } catch let error as AzureError {
            throw AzureLogin.logicalError(error, prefix: nil)
        }
    }

    /// ARM refused the access token of `lease` (revoked, or the tenant's keys changed). Returns services with a
    /// new ARM client and credential, keeping the verifier's discovery and keys (``AzureServicesCache/renew(_:_:)``).
    func renewCredential(_ lease: ServicesLease, _ storage: any Storage) async throws -> AzureServices? {
        try await cachedServices.renew(lease) { current in
            var renewed = current
            let built = try await self.buildServices(storage)
            renewed.resourceManager = built.resourceManager
            renewed.apiVersions = built.apiVersions
            return renewed
        }
    }

    func dropServices() { cachedServices.drop() }

    // MARK: roles

    func loadRole(_ storage: any Storage, _ name: String) async throws -> AzureRole? {
        let key = "role/" + name.lowercased()
        return try await decodedRoles.value(for: key) {
            guard let bytes = try await storage.get(key) else { return nil }
            return try JSONDecoder().decode(AzureRole.self, from: Data(bytes))
        }
    }

    func forgetDecodedRoles() { decodedRoles.forget() }

    func writeRole(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let name = try fields.string("name")
        guard Self.isValidRoleName(name) else { throw LogicalError.badRequest("invalid role name \"\(name)\"") }
        var role = try await loadRole(request.storage, name) ?? AzureRole()
        let warnings = try role.apply(fields, mountMaxTTL: request.mountMaxTTL)
        defer { forgetDecodedRoles() }
        try await request.storage.putJSON("role/" + name.lowercased(), role)
        return warnings.isEmpty ? nil : LogicalResponse(warnings: warnings)
    }

    /// Vault's `GenericNameRegex`: `\w(([\w-.]+)?\w)?`.
    static func isValidRoleName(_ name: String) -> Bool {
        func word(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" }
        guard let first = name.first, let last = name.last, word(first), word(last) else { return false }
        return name.allSatisfy { word($0) || $0 == "-" || $0 == "." }
    }

    // MARK: login

    func login(_ request: LogicalRequest, _ fields: FieldData) async throws -> LogicalResponse? {
        let login = AzureLoginFields(
            role: try fields.string("role"), jwt: try fields.string("jwt"),
            subscriptionID: try fields.string("subscription_id"),
            resourceGroupName: try fields.string("resource_group_name"), vmName: try fields.string("vm_name"),
            vmssName: try fields.string("vmss_name"), resourceID: try fields.string("resource_id"))
        guard !login.jwt.isEmpty else { throw LogicalError.badRequest("jwt is required") }
        guard !login.role.isEmpty else { throw LogicalError.badRequest("role is required") }
        guard let role = try await loadRole(request.storage, login.role) else {
            throw LogicalError.badRequest("invalid role name \"\(login.role)\"")
        }
        if !role.token.boundCIDRs.isEmpty {
            guard let address = request.remoteAddress, CIDR.contains(role.token.boundCIDRs, address: address) else {
                throw LogicalError.forbidden("permission denied")
            }
        }
        if !login.subscriptionID.isEmpty, !LoginFieldSyntax.isSubscriptionID(login.subscriptionID) {
            throw LogicalError.badRequest("invalid subscription id \"\(login.subscriptionID)\"")
        }
        if !login.resourceGroupName.isEmpty, !LoginFieldSyntax.isResourceGroupName(login.resourceGroupName) {
            throw LogicalError.badRequest("invalid resource group name \"\(login.resourceGroupName)\"")
        }
        if !login.vmssName.isEmpty, !LoginFieldSyntax.isMachineName(login.vmssName) {
            throw LogicalError.badRequest("invalid vmss_name \"\(login.vmssName)\"")
        }
        if !login.vmName.isEmpty, !LoginFieldSyntax.isMachineName(login.vmName) {
            throw LogicalError.badRequest("invalid vm name \"\(login.vmName)\"")
        }
        let lease = try await services(request.storage)
        do {
            return .login(try await authenticate(login, role: role, services: lease.services))
        } catch let rejected as AzureLogin.ARMCredentialRejected {
            guard let renewed = try await renewCredential(lease, request.storage) else { throw rejected.error }
            do {
                return .login(try await authenticate(login, role: role, services: renewed))
            } catch let again as AzureLogin.ARMCredentialRejected {
                throw again.error
            }
        }
    }

    private func authenticate(_ login: AzureLoginFields, role: AzureRole, services: AzureServices) async throws -> Auth
    {
        try await AzureLogin(
            verifier: services.verifier, resourceManager: services.resourceManager, apiVersions: services.apiVersions
        ).authenticate(login, role: role)
    }

    // MARK: renewal (docs/azure-auth.md § Renewal)

    func renew(_ auth: Auth, _ request: LogicalRequest) async throws -> Auth {
        guard let name = auth.internalData["role"]?.stringValue, !name.isEmpty else {
            throw LogicalError.badRequest("failed to fetch role_name during renewal")
        }
        guard let role = try await loadRole(request.storage, name) else {
            throw LogicalError.badRequest("role \(name) does not exist during renewal")
        }
        var renewed = auth
        renewed.ttl = role.token.ttl
        renewed.maxTTL = role.token.maxTTL
        renewed.period = role.token.period
        return renewed
    }
}
