import CofferJSON
import Foundation

/// Azure Instance Metadata Service and the App Service / Functions identity endpoint.
///
/// ```text
/// GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=<aud>[&client_id=|&object_id=|&msi_res_id=]
///     header Metadata: true          → {"access_token", "client_id", "expires_in", "expires_on", …} (all strings)
/// GET /metadata/instance?api-version=2021-05-01   header Metadata: true → {"compute": {…}, "network": {…}}
/// GET /msi/token?api-version=2019-08-01&resource=<aud>[&client_id=|&principal_id=|&mi_res_id=]
///     header X-IDENTITY-HEADER: <secret>  → {"access_token", "expires_on": "<epoch>", "resource", …}
/// ```
extension SimulatorCore {
    static let imdsAPIVersions: Set<String> = ["2018-02-01", "2021-05-01"]

    func handleIMDS(_ request: SimulatorRequest) -> SimulatorResponse {
        let path = request.path.hasSuffix("/") ? String(request.path.dropLast()) : request.path
        guard path == "/metadata/identity/oauth2/token" || path == "/metadata/instance" else {
            return .json(404, ["error": "Not found"])
        }
        guard request.method == "GET" else {
            return .json(405, ["error": "Method not allowed"])
        }
        guard request.header("Metadata")?.lowercased() == "true" else {
            return .json(
                400, ["error": "invalid_request", "error_description": "Required metadata header not specified"])
        }
        guard let version = request.query["api-version"], !version.isEmpty else {
            return .json(
                400,
                [
                    "error":
                        "Bad request. api-version was not specified in the request. For more information refer to aka.ms/azureimds",
                    "newest-versions": ["2021-05-01", "2018-02-01"],
                ])
        }
        guard Self.imdsAPIVersions.contains(version) else {
            return .json(
                400,
                [
                    "error":
                        "Bad request. api-version is invalid or was not specified in the request. For more information refer to aka.ms/azureimds",
                    "newest-versions": ["2021-05-01", "2018-02-01"],
                ])
        }
        let host: ResourceCatalog.Host
        do {
            host = try catalog.currentHost()
        } catch {
            return .json(400, ["error": "invalid_request", "error_description": .string("\(error)")])
        }
        if path == "/metadata/instance" { return .json(200, instanceMetadata(host)) }

        guard let resource = request.query["resource"], !resource.isEmpty else {
            return .json(
                400, ["error": "invalid_request", "error_description": "Required audience parameter not specified"])
        }
        let selectors = [
            request.query["client_id"].map(ResourceCatalog.Selector.clientID),
            request.query["object_id"].map(ResourceCatalog.Selector.objectID),
            request.query["msi_res_id"].map(ResourceCatalog.Selector.resourceID),
        ].compactMap { $0 }
        guard selectors.count <= 1 else {
            return .json(
                400,
                [
                    "error": "invalid_request",
                    "error_description": "Only one of client_id, object_id or msi_res_id can be specified",
                ])
        }
        return tokenResponse(host: host, selector: selectors.first, resource: resource, appService: false)
    }

    func handleAppService(_ request: SimulatorRequest) -> SimulatorResponse {
        guard request.path == "/msi/token" || request.path == "/msi/token/" else {
            return .json(404, ["error": "Not found"])
        }
        let expected = state.withLock { $0.appServiceHeader }
        guard let header = request.header("X-IDENTITY-HEADER"), header == expected else {
            return .json(
                401, ["statusCode": 401, "message": "Unauthorized. X-IDENTITY-HEADER is missing or not valid."])
        }
        guard request.query["api-version"] == "2019-08-01" else {
            return .json(
                400,
                [
                    "statusCode": 400,
                    "message": .string(
                        "The api-version '\(request.query["api-version"] ?? "")' is not supported. Supported: 2019-08-01."
                    ),
                ])
        }
        guard let resource = request.query["resource"], !resource.isEmpty else {
            return .json(400, ["statusCode": 400, "message": "Required audience parameter 'resource' not specified."])
        }
        let host: ResourceCatalog.Host
        do {
            guard let site = state.withLock({ $0.fixture.appService?.site }) else {
                throw SimulatorError.notFound("no App Service site is configured (fixture \"appService\")")
            }
            host = try catalog.host(resource: site)
        } catch {
            return .json(400, ["statusCode": 400, "message": .string("\(error)")])
        }
        let selector = [
            request.query["client_id"].map(ResourceCatalog.Selector.clientID),
            request.query["principal_id"].map(ResourceCatalog.Selector.objectID),
            request.query["mi_res_id"].map(ResourceCatalog.Selector.resourceID),
        ].compactMap { $0 }.first
        return tokenResponse(host: host, selector: selector, resource: resource, appService: true)
    }

    private func tokenResponse(
        host: ResourceCatalog.Host, selector: ResourceCatalog.Selector?, resource: String, appService: Bool
    ) -> SimulatorResponse {
        let grant: ResourceCatalog.Grant
        do {
            grant = try catalog.grant(on: host, selector: selector)
        } catch {
            let message: String
            switch error {
            case .ambiguous:
                message =
                    "Multiple user assigned identities exist, please specify the clientId / resourceId of the identity in the token request"
            case .noIdentity, .notFound: message = "Identity not found"
            }
            return appService
                ? .json(400, ["statusCode": 400, "message": .string(message)])
                : .json(400, ["error": "invalid_request", "error_description": .string(message)])
        }
        let minted: (token: String, exp: Int)
        do {
            minted = try managedIdentityToken(grant, resource: resource)
        } catch {
            return .json(500, ["error": "unknown_error", "error_description": .string("\(error)")])
        }
        let now = minted.exp - 86_399
        if appService {
            return .json(
                200,
                [
                    "access_token": .string(minted.token), "expires_on": .string(String(minted.exp)),
                    "resource": .string(resource), "token_type": "Bearer", "client_id": .string(grant.clientID),
                ])
        }
        return .json(
            200,
            [
                "access_token": .string(minted.token), "client_id": .string(grant.clientID),
                "expires_in": "86399", "expires_on": .string(String(minted.exp)), "ext_expires_in": "86399",
                "not_before": .string(String(now)), "resource": .string(resource), "token_type": "Bearer",
            ])
    }

    private func instanceMetadata(_ host: ResourceCatalog.Host) -> JSONValue {
        let computeResourceID: String
        if host.kind == .uniformInstance, let instance = host.name.split(separator: "_").last {
            computeResourceID = "\(host.resourceID)/virtualMachines/\(instance)"
        } else {
            computeResourceID = host.resourceID
        }
        return [
            "compute": [
                "azEnvironment": "AzurePublicCloud", "location": .string(host.location), "name": .string(host.name),
                "offer": "0001-com-ubuntu-server-jammy", "osType": "Linux", "publisher": "canonical",
                "resourceGroupName": .string(host.resourceGroup), "resourceId": .string(computeResourceID),
                "sku": "22_04-lts-gen2", "subscriptionId": .string(host.subscriptionId), "tags": "",
                "tagsList": [], "version": "22.04.202311010", "vmId": .string(host.vmId),
                "vmScaleSetName": .string(host.scaleSetName ?? ""), "vmSize": .string(host.vmSize), "zone": "",
            ],
            "network": [
                "interface": [
                    [
                        "ipv4": ["ipAddress": [["privateIpAddress": "10.0.0.4", "publicIpAddress": ""]]],
                        "ipv6": ["ipAddress": []], "macAddress": "000D3A000000",
                    ]
                ]
            ],
        ]
    }
}
