import CofferJSON
import Foundation

/// Microsoft Graph `/v1.0` (also under `/graph/v1.0`): application lookup and password management.
///
/// ```text
/// GET  /v1.0/applications?$filter=appId eq '<appId>'   → {"@odata.context", "value": [application]}
/// GET  /v1.0/applications/<objectId>
/// POST /v1.0/applications/<objectId>/addPassword        {"passwordCredential":{"displayName","endDateTime"}}
/// POST /v1.0/applications/<objectId>/removePassword     {"keyId":"<uuid>"} → 204
/// ```
/// Added passwords are client secrets at the token endpoint at once; removed ones stop working.
extension SimulatorCore {
    func handleGraph(_ request: SimulatorRequest, segments: [String]) -> SimulatorResponse {
        let tenant: String
        switch authenticateGraph(request) {
        case .success(let tid): tenant = tid
        case .failure(let response): return response
        }
        guard segments.first == "applications" else {
            return graphError(400, "BadRequest", "Resource not found for the segment '\(segments.first ?? "")'.")
        }
        switch (request.method, segments.count) {
        case ("GET", 1): return listApplications(request, tenant: tenant)
        case ("GET", 2): return withApplication(segments[1], tenant: tenant) { app in .json(200, applicationJSON(app)) }
        case ("POST", 3) where segments[2] == "addPassword":
            return addPassword(request, id: segments[1], tenant: tenant)
        case ("POST", 3) where segments[2] == "removePassword":
            return removePassword(request, id: segments[1], tenant: tenant)
        default:
            return graphError(
                405, "Request_BadRequest", "The simulator does not support \(request.method) \(request.path).")
        }
    }

    private func graphError(_ status: Int, _ code: String, _ message: String) -> SimulatorResponse {
        let id = UUID().uuidString.lowercased()
        return .json(
            status,
            [
                "error": [
                    "code": .string(code), "message": .string(message),
                    "innerError": [
                        "date": .string(String(Self.timestamp().prefix(19))), "request-id": .string(id),
                        "client-request-id": .string(id),
                    ],
                ]
            ])
    }

    private enum GraphAuth {
        case success(String)
        case failure(SimulatorResponse)
    }

    private func authenticateGraph(_ request: SimulatorRequest) -> GraphAuth {
        guard let authorization = request.header("Authorization"), authorization.lowercased().hasPrefix("bearer ")
        else {
            return .failure(
                graphError(401, "InvalidAuthenticationToken", "Access token is empty."))
        }
        let token = String(authorization.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        guard let claims = state.withLock({ $0.keys.verify(token) }) else {
            return .failure(
                graphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid signature."))
        }
        guard Self.matchesAudience(claims["aud"]?.stringValue ?? "", graphAudiences) else {
            return .failure(
                graphError(401, "InvalidAuthenticationToken", "Access token validation failure. Invalid audience."))
        }
        guard (claims["exp"]?.doubleValue ?? 0) > Date().timeIntervalSince1970 else {
            return .failure(
                graphError(401, "InvalidAuthenticationToken", "Lifetime validation failed, the token is expired."))
        }
        return .success(claims["tid"]?.stringValue ?? "")
    }

    private func listApplications(_ request: SimulatorRequest, tenant: String) -> SimulatorResponse {
        var apps = catalog.tenant(tenant)?.applications ?? []
        if let filter = request.query["$filter"] {
            let pattern = /^\s*appId\s+eq\s+'([^']*)'\s*$/
            guard let match = filter.wholeMatch(of: pattern) else {
                return graphError(
                    400, "Request_UnsupportedQuery",
                    "Unsupported or invalid query filter clause specified for property 'appId'.")
            }
            let appID = String(match.1)
            apps = apps.filter { ResourceID.equal($0.appId, appID) }
        }
        return .json(
            200,
            [
                "@odata.context": .string("\(baseURL)graph/v1.0/$metadata#applications"),
                "value": .array(apps.map(applicationJSON)),
            ])
    }

    private func withApplication(
        _ id: String, tenant: String, _ body: (SimulatorFixture.Application) -> SimulatorResponse
    ) -> SimulatorResponse {
        guard let app = catalog.tenant(tenant)?.applications.first(where: { ResourceID.equal($0.objectId, id) }) else {
            return graphError(
                404, "Request_ResourceNotFound",
                "Resource '\(id)' does not exist or one of its queried reference-property objects are not present.")
        }
        return body(app)
    }

    private func applicationJSON(_ app: SimulatorFixture.Application) -> JSONValue {
        [
            "id": .string(app.objectId), "appId": .string(app.appId), "displayName": .string(app.displayName),
            "signInAudience": "AzureADMyOrg", "keyCredentials": [],
            "passwordCredentials": .array(
                app.passwordCredentials.map { password in
                    [
                        "customKeyIdentifier": .null, "displayName": .optional(password.displayName),
                        "endDateTime": .optional(password.endDateTime),
                        "hint": .optional(password.listedHint),
                        "keyId": .string(password.keyId), "secretText": .null,
                        "startDateTime": .optional(password.startDateTime),
                    ]
                }),
        ]
    }

    /// Mutates the application inside the locked fixture.
    private func updateApplication(
        tenant: String, objectID: String, _ body: (inout SimulatorFixture.Application) -> Bool
    )
        -> Bool
    {
        state.withLock { state in
            guard let t = state.fixture.tenants.firstIndex(where: { ResourceID.equal($0.tenantId, tenant) }),
                let a = state.fixture.tenants[t].applications.firstIndex(where: {
                    ResourceID.equal($0.objectId, objectID)
                })
            else { return false }
            return body(&state.fixture.tenants[t].applications[a])
        }
    }

    private func addPassword(_ request: SimulatorRequest, id: String, tenant: String) -> SimulatorResponse {
        withApplication(id, tenant: tenant) { _ in
            let input = request.json()?["passwordCredential"]
            let now = Date()
            let start = Self.timestamp(now)
            let end = input?["endDateTime"]?.stringValue ?? Self.timestamp(now.addingTimeInterval(2 * 365 * 86_400))
            guard Self.parseDate(end) != nil else {
                return graphError(400, "Request_BadRequest", "Invalid value specified for property 'endDateTime'.")
            }
            let credential = SimulatorFixture.PasswordCredential(
                keyId: UUID().uuidString.lowercased(), secretText: Self.secretText(),
                displayName: input?["displayName"]?.stringValue, startDateTime: start, endDateTime: end)
            _ = updateApplication(tenant: tenant, objectID: id) { app in
                app.passwordCredentials.append(credential)
                return true
            }
            return .json(
                200,
                [
                    "@odata.context": .string("\(baseURL)graph/v1.0/$metadata#microsoft.graph.passwordCredential"),
                    "customKeyIdentifier": .null, "displayName": .optional(credential.displayName),
                    "endDateTime": .string(end), "hint": .optional(credential.listedHint),
                    "keyId": .string(credential.keyId), "secretText": .string(credential.secretText),
                    "startDateTime": .string(start),
                ])
        }
    }

    private func removePassword(_ request: SimulatorRequest, id: String, tenant: String) -> SimulatorResponse {
        withApplication(id, tenant: tenant) { _ in
            guard let keyID = request.json()?["keyId"]?.stringValue else {
                return graphError(400, "Request_BadRequest", "The request body must contain 'keyId'.")
            }
            let removed = updateApplication(tenant: tenant, objectID: id) { app in
                let before = app.passwordCredentials.count
                app.passwordCredentials.removeAll { ResourceID.equal($0.keyId, keyID) }
                return app.passwordCredentials.count < before
            }
            guard removed else {
                return graphError(
                    400, "Request_BadRequest", "No password credential found with keyId '\(keyID)'.")
            }
            return .empty(204)
        }
    }

    /// 40 characters like Entra's generated secrets (`xyz8Q~…`).
    static func secretText() -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~")
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")
        let head = String((0..<3).map { _ in letters.randomElement()! })
        return head + "8Q~" + String((0..<34).map { _ in alphabet.randomElement()! })
    }
}
