import Foundation
import NIOCore

/// Entra ID's OAuth2 v2 token endpoint for the client-credentials grant, shared by the client-secret and
/// client-assertion credentials.
///
/// ```swift
/// let endpoint = EntraTokenEndpoint(cloud: cloud, tenantID: tenant, http: http)
/// let token = try await endpoint.requestToken(form: [("client_id", id), ("client_secret", secret)],
///                                             scope: cloud.armScope, secrets: [secret])
/// ```
struct EntraTokenEndpoint: Sendable {
    let url: String
    let http: AzureHTTP

    init(cloud: AzureCloud, tenantID: String, http: AzureHTTP) {
        self.url = AzureURL.join(
            cloud.activeDirectoryEndpoint, AzureURL.escapeSegment(tenantID), "oauth2/v2.0/token")
        self.http = http
    }

    /// POSTs `grant_type=client_credentials`, the credential's fields and `scope`. `secrets` are scrubbed
    /// from any error text as a last line of defence.
    func requestToken(form: [(String, String)], scope: String, secrets: [String]) async throws -> AccessToken {
        let call = "token endpoint"
        let body = AzureURL.query([("grant_type", "client_credentials")] + form + [("scope", scope)])
        let requested = Date()
        let response = try await http.send(
            .POST, url,
            headers: [("Content-Type", "application/x-www-form-urlencoded"), ("Accept", "application/json")],
            body: ByteBuffer(string: body), call: call, service: .token)
        guard response.status == 200 else {
            var detail = AzureErrorBody.summary(response)
            for secret in secrets where !secret.isEmpty {
                detail = detail.replacingOccurrences(of: secret, with: "[redacted]")
            }
            throw AzureError.upstream(call: call, status: response.status, detail: detail)
        }
        return try TokenResponse.decode(response, call: call, requested: requested)
    }
}

/// The token fields of Entra, IMDS and App Service answers: `access_token` plus `expires_in` (seconds,
/// number or string) or `expires_on` (Unix seconds, number or string).
enum TokenResponse {
    static func decode(_ response: AzureHTTP.Response, call: String, requested: Date) throws -> AccessToken {
        struct Body: Decodable {
            var access_token: String?
            var expires_in: Flexible?
            var expires_on: Flexible?
        }
        struct Flexible: Decodable {
            var seconds: Double?
            init(from decoder: any Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Double.self) {
                    seconds = number
                } else {
                    seconds = Double(try container.decode(String.self))
                }
            }
        }
        guard let body = try? JSONDecoder().decode(Body.self, from: response.bodyData), let token = body.access_token,
            !token.isEmpty
        else {
            throw AzureError.upstream(call: call, status: response.status, detail: "the answer has no access_token")
        }
        let expiresOn: Date
        if let on = body.expires_on?.seconds {
            expiresOn = Date(timeIntervalSince1970: on)
        } else if let seconds = body.expires_in?.seconds {
            expiresOn = requested.addingTimeInterval(seconds)
        } else {
            throw AzureError.upstream(call: call, status: response.status, detail: "the answer has no expiry")
        }
        return AccessToken(token: token, expiresOn: expiresOn)
    }
}
