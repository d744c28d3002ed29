import CofferJSON
import Foundation
import NIOCore
import NIOHTTP1

/// An application registration as Microsoft Graph returns it.
public struct GraphApplication: Sendable, Equatable {
    /// The application object's id (used in `/applications/<id>` paths).
    public var objectID: String
    /// The client id (`appId`).
    public var appID: String
    public var displayName: String
    public var passwordCredentials: [GraphPasswordCredential]

    public init(objectID: String, appID: String, displayName: String, passwordCredentials: [GraphPasswordCredential]) {
        self.objectID = objectID
        self.appID = appID
        self.displayName = displayName
        self.passwordCredentials = passwordCredentials
    }
}

/// A client secret of an application. `secretText` is only present in an `addPassword` answer and never
/// appears in the description.
public struct GraphPasswordCredential: Sendable, Equatable, CustomStringConvertible {
    public var keyID: String
    public var displayName: String?
    /// RFC 3339, as Graph sent it.
    public var endDateTime: String?
    public var secretText: String?
    /// The secret's first three characters, which Graph lists with every password so an owner can tell which one
    /// a secret they hold is (nil when Graph sent none).
    public var hint: String?

    public init(
        keyID: String, displayName: String? = nil, endDateTime: String? = nil, secretText: String? = nil,
        hint: String? = nil
    ) {
        self.keyID = keyID
        self.displayName = displayName
        self.endDateTime = endDateTime
        self.secretText = secretText
        self.hint = hint
    }

    public var description: String {
        "GraphPasswordCredential(keyID: \(keyID), displayName: \(displayName ?? ""), endDateTime: \(endDateTime ?? ""))"
    }
}

/// The Microsoft Graph calls of root-credential rotation (docs/azure-auth.md § Root rotation).
public protocol AzureGraphManaging: Sendable {
    func findApplication(appID: String) async throws -> GraphApplication
    func addPassword(objectID: String, displayName: String, endDateTime: Date) async throws -> GraphPasswordCredential
    func removePassword(objectID: String, keyID: String) async throws
    func passwordCredentials(objectID: String) async throws -> [GraphPasswordCredential]
}

/// Microsoft Graph v1.0 over AsyncHTTPClient with tokens for `<graph>/.default`. Not retried
/// (docs/azure-auth.md § Retries).
///
/// ```swift
/// let graph = try GraphClient(cloud: settings.cloud, credential: credential, http: http)
/// let app = try await graph.findApplication(appID: settings.clientID)
/// let created = try await graph.addPassword(objectID: app.objectID, displayName: "coffer-\(UUID())", endDateTime: expiry)
/// ```
///
/// `no application found` and `multiple applications found - double check your client_id` are
/// ``AzureError/configuration(_:)``; Graph failures are ``AzureError/upstream(call:status:detail:)`` named
/// `Graph <operation>`, a 404 ``AzureError/notFound(call:detail:)``.
public struct GraphClient: AzureGraphManaging {
    public let cloud: AzureCloud
    private let credential: any AzureCredential
    private let http: AzureHTTP
    private let base: String

    public init(cloud: AzureCloud, credential: any AzureCredential, http: AzureHTTP) throws(AzureError) {
        guard !cloud.microsoftGraphEndpoint.isEmpty else {
            throw AzureError.configuration("the cloud \(cloud.name) has no microsoftGraphEndpoint")
        }
        self.cloud = cloud
        self.credential = credential
        self.http = http
        self.base = AzureURL.join(cloud.microsoftGraphEndpoint, "v1.0")
    }

    public func findApplication(appID: String) async throws -> GraphApplication {
        let filter = "appId eq '\(appID.replacingOccurrences(of: "'", with: "''"))'"
        let url = AzureURL.join(base, "applications") + "?" + AzureURL.query([("$filter", filter)])
        struct List: Decodable { var value: [ApplicationJSON] }
        let list: List = try await call("findApplication", .GET, url)
        guard let first = list.value.first else { throw AzureError.configuration("no application found") }
        guard list.value.count == 1 else {
            throw AzureError.configuration("multiple applications found - double check your client_id")
        }
        return first.application
    }

    public func addPassword(objectID: String, displayName: String, endDateTime: Date) async throws
        -> GraphPasswordCredential
    {
        let url = AzureURL.join(base, "applications", AzureURL.escapeSegment(objectID), "addPassword")
        struct Body: Encodable {
            struct Credential: Encodable {
                var displayName: String
                var endDateTime: String
            }
            var passwordCredential: Credential
        }
        let body = Body(
            passwordCredential: .init(displayName: displayName, endDateTime: Self.rfc3339(endDateTime)))
        let created: PasswordJSON = try await call("addPassword", .POST, url, body: try JSONEncoder().encode(body))
        return created.credential
    }

    public func removePassword(objectID: String, keyID: String) async throws {
        let url = AzureURL.join(base, "applications", AzureURL.escapeSegment(objectID), "removePassword")
        let body = try JSONEncoder().encode(["keyId": keyID])
        _ = try await send("removePassword", .POST, url, body: body)
    }

    public func passwordCredentials(objectID: String) async throws -> [GraphPasswordCredential] {
        let url = AzureURL.join(base, "applications", AzureURL.escapeSegment(objectID))
        let application: ApplicationJSON = try await call("getApplication", .GET, url)
        return application.application.passwordCredentials
    }

    // MARK: Transport

    private func call<T: Decodable>(_ operation: String, _ method: HTTPMethod, _ url: String, body: Data? = nil)
        async throws -> T
    {
        let response = try await send(operation, method, url, body: body)
        do {
            return try JSONDecoder().decode(T.self, from: response.bodyData)
        } catch {
            throw AzureError.upstream(
                call: "Graph \(operation)", status: response.status, detail: "unexpected response body")
        }
    }

    private func send(_ operation: String, _ method: HTTPMethod, _ url: String, body: Data?) async throws
        -> AzureHTTP.Response
    {
        let name = "Graph \(operation)"
        let token = try await credential.token(scope: cloud.graphScope)
        var headers = [("Accept", "application/json"), ("Authorization", "Bearer \(token.token)")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        let response = try await http.send(
            method, url, headers: headers, body: body.map { ByteBuffer(bytes: $0) }, call: name, service: .graph)
        switch response.status {
        case 200..<300: return response
        case 404: throw AzureError.notFound(call: name, detail: AzureErrorBody.summary(response))
        default:
            throw AzureError.upstream(call: name, status: response.status, detail: AzureErrorBody.summary(response))
        }
    }

    static func rfc3339(_ date: Date) -> String { RFC3339.string(date, fraction: .none) }
}

private struct PasswordJSON: Decodable {
    var keyId: String
    var displayName: String?
    var endDateTime: String?
    var secretText: String?
    var hint: String?

    var credential: GraphPasswordCredential {
        GraphPasswordCredential(
            keyID: keyId, displayName: displayName, endDateTime: endDateTime, secretText: secretText, hint: hint)
    }
}

private struct ApplicationJSON: Decodable {
    var id: String
    var appId: String?
    var displayName: String?
    var passwordCredentials: [PasswordJSON]?

    var application: GraphApplication {
        GraphApplication(
            objectID: id, appID: appId ?? "", displayName: displayName ?? "",
            passwordCredentials: (passwordCredentials ?? []).map(\.credential))
    }
}
