import AsyncHTTPClient
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import _CryptoExtras

@testable import AzureSimulator

/// The example fixture's ids, and helpers to run a simulator and talk to it over loopback.
enum Example {
    static let tenant = "8a2f1c7e-4b3d-4e9a-9c1f-2d6e8b0a5f31"
    static let subscription = "11111111-2222-4333-8444-555555555555"
    static let sharedSubscription = "66666666-7777-4888-9999-000000000000"
    static let appID = "3f9d2b1a-6c4e-4f7a-8b2d-9e1c0a5b7d64"
    static let appObjectID = "b7e4c2a9-1d3f-4a6b-9c8e-2f5a7d0b1e36"
    static let appPrincipal = "c1a8e5d2-7b4f-4c3a-8e9d-6f2b0a1c5e47"
    static let secret = "sim8Q~ExampleClientSecretForTheSimulatorOnly"
    static let vmPrincipal = "5a1e9c3f-7d2b-4f8a-9e6c-0b4d2a7f1e85"
    static let vmClient = "9e8d7c6b-5a4f-4e3d-a2c1-b0a9f8e7d6c5"
    static let webIdentityPrincipal = "a9f3c6e2-1b7d-4e5a-8f0c-3d9b6e2a4c71"
    static let webIdentityClient = "f0e1d2c3-b4a5-4697-8877-665544332211"
    static let sharedIdentityPrincipal = "7c2e9a4f-3b1d-4f6e-a8c5-2e9d1b7f3a60"
    static let sharedIdentityClient = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"
    static let uniformPrincipal = "4d8b2e6f-0a3c-4b7e-9d1f-8c2a6e4b0d59"
    static let sitePrincipal = "8f3a1d6c-2e9b-4c5a-b7d0-4e1f9a3c6b82"
    static let group = "e2c7a4f1-9b5d-4a3e-8c6f-1d0b7e2a5c93"
    static let identityHeader = "sim-identity-header-0f3c"
    static let rg = "/subscriptions/\(subscription)/resourceGroups/rg-apps"
    static let vmID = "\(rg)/providers/Microsoft.Compute/virtualMachines/vm-web"
    static let webIdentityID = "\(rg)/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-web"
    static let sharedIdentityID =
        "/subscriptions/\(sharedSubscription)/resourceGroups/rg-shared/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uami-shared"
    static let siteID = "\(rg)/providers/Microsoft.Web/sites/app-orders"

    static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var fixturePath: String { repositoryRoot.appendingPathComponent("Examples/azure-sim/fixture.json").path }

    static func fixture() throws -> SimulatorFixture { try SimulatorFixture.load(path: fixturePath) }

    /// Runs `body` against a started simulator on the example fixture (optionally edited), then stops it.
    static func withSimulator<T>(
        edit: (inout SimulatorFixture) -> Void = { _ in }, _ body: (AzureSimulator) async throws -> T
    ) async throws -> T {
        var fixture = try fixture()
        edit(&fixture)
        let simulator = try AzureSimulator(fixture: fixture)
        try await simulator.start()
        do {
            let result = try await body(simulator)
            await simulator.stop()
            return result
        } catch {
            await simulator.stop()
            throw error
        }
    }
}

struct HTTPAnswer {
    var status: Int
    var headers: HTTPHeaders
    var body: Data

    var json: SimulatorJSON { (try? SimulatorJSON.parse(body)) ?? .null }
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Plain loopback HTTP, independent of the simulator's code.
enum HTTP {
    static func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: Data? = nil,
        timeout: TimeAmount = .seconds(15)
    ) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let buffer = try await response.body.collect(upTo: 8 << 20)
        return HTTPAnswer(
            status: Int(response.status.code), headers: response.headers, body: Data(buffer.readableBytesView))
    }

    static func get(_ url: String, headers: [(String, String)] = []) async throws -> HTTPAnswer {
        try await send(.GET, url, headers: headers)
    }

    static func postForm(_ url: String, _ fields: [(String, String)]) async throws -> HTTPAnswer {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let body = fields.map {
            "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed) ?? $0.1)"
        }.joined(separator: "&")
        return try await send(
            .POST, url, headers: [("Content-Type", "application/x-www-form-urlencoded")], body: Data(body.utf8))
    }

    static func postJSON(_ url: String, _ json: SimulatorJSON, headers: [(String, String)] = []) async throws
        -> HTTPAnswer
    {
        try await send(
            .POST, url, headers: [("Content-Type", "application/json")] + headers, body: Data(json.serialized().utf8))
    }
}

/// Verifies RS256 JWTs against a JWKS with swift-crypto only (no jwt-kit, no simulator code).
enum TokenCheck {
    struct Verified {
        var header: SimulatorJSON
        var claims: SimulatorJSON
    }

    enum Failure: Error { case malformed, unknownKid, badSignature }

    static func base64URL(_ text: Substring) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64)
    }

    static func decode(_ jwt: String) throws -> Verified {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = base64URL(parts[0]), let claims = base64URL(parts[1]) else {
            throw Failure.malformed
        }
        return Verified(header: try SimulatorJSON.parse(header), claims: try SimulatorJSON.parse(claims))
    }

    static func verify(_ jwt: String, jwks: SimulatorJSON) throws -> Verified {
        let decoded = try decode(jwt)
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard decoded.header["alg"] == "RS256", let signature = base64URL(parts[2]) else { throw Failure.malformed }
        guard
            let jwk = jwks["keys"]?.arrayValue?.first(where: { $0["kid"] == decoded.header["kid"] }),
            let n = jwk["n"]?.stringValue.flatMap({ base64URL(Substring($0)) }),
            let e = jwk["e"]?.stringValue.flatMap({ base64URL(Substring($0)) })
        else { throw Failure.unknownKid }
        let key = try _RSA.Signing.PublicKey(n: n, e: e)
        let input = Data("\(parts[0]).\(parts[1])".utf8)
        guard
            key.isValidSignature(
                _RSA.Signing.RSASignature(rawRepresentation: signature), for: SHA256.hash(data: input),
                padding: .insecurePKCS1v1_5)
        else { throw Failure.badSignature }
        return decoded
    }

    /// Fetches the JWKS the way a client would: v1 discovery document, then `jwks_uri`.
    static func publishedJWKS(_ simulator: AzureSimulator, tenant: String = Example.tenant) async throws
        -> SimulatorJSON
    {
        let discovery = try await HTTP.get("\(simulator.baseURL)\(tenant)/.well-known/openid-configuration")
        let jwksURI = try #require(discovery.json["jwks_uri"]?.stringValue)
        return try await HTTP.get(jwksURI).json
    }
}
