import AsyncHTTPClient
import CofferTesting
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import Testing
import _CryptoExtras

@testable import AzureSimulator

/// The example fixture's ids under the names these tests use (the values live once, in ``ExampleEstate``), and
/// helpers to run a simulator and talk to it over loopback.
enum Example {
    static let tenant = ExampleEstate.tenant
    static let subscription = ExampleEstate.subscription
    static let sharedSubscription = ExampleEstate.otherSubscription
    static let appID = ExampleEstate.appID
    static let appObjectID = ExampleEstate.appObjectID
    static let appPrincipal = ExampleEstate.appPrincipal
    static let secret = ExampleEstate.secret
    static let vmPrincipal = ExampleEstate.vmPrincipal
    static let vmClient = ExampleEstate.vmClient
    static let webIdentityPrincipal = ExampleEstate.uamiWebPrincipal
    static let webIdentityClient = ExampleEstate.uamiWebClient
    static let sharedIdentityPrincipal = ExampleEstate.uamiSharedPrincipal
    static let sharedIdentityClient = ExampleEstate.uamiSharedClient
    static let uniformPrincipal = ExampleEstate.uniformPrincipal
    static let sitePrincipal = ExampleEstate.sitePrincipal
    static let group = ExampleEstate.group
    static let identityHeader = ExampleEstate.identityHeader
    static let rg = ExampleEstate.appsGroupID
    static let vmID = ExampleEstate.vmID("vm-web")
    static let webIdentityID = ExampleEstate.uamiWebID
    static let sharedIdentityID = ExampleEstate.uamiSharedID
    static let siteID = ExampleEstate.siteID

    static var repositoryRoot: URL { ExampleEstate.repositoryRoot }
    static var fixturePath: String { ExampleEstate.fixturePath }
    static func fixture() throws -> SimulatorFixture { try ExampleEstate.fixture }

    /// Runs `body` against a started simulator on the example fixture (optionally edited), then stops it.
    static func withSimulator<T>(
        edit: (inout SimulatorFixture) -> Void = { _ in }, _ body: (AzureSimulator) async throws -> T
    ) async throws -> T {
        var fixture = try fixture()
        edit(&fixture)
        let simulator = try await AzureSimulator.make(fixture: fixture)
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

    var json: JSONValue { (try? JSONParser.parse(body)) ?? .null }
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

    static func postJSON(_ url: String, _ json: JSONValue, headers: [(String, String)] = []) async throws
        -> HTTPAnswer
    {
        try await send(
            .POST, url, headers: [("Content-Type", "application/json")] + headers, body: Data(json.serialized()))
    }
}

/// Verifies RS256 JWTs against a JWKS with swift-crypto only (no jwt-kit, no simulator code).
enum TokenCheck {
    struct Verified {
        var header: JSONValue
        var claims: JSONValue
    }

    enum Failure: Error { case malformed, unknownKid, badSignature }

    static func base64URL(_ text: Substring) -> Data? { Base64URL.decode(text).map { Data($0) } }

    static func decode(_ jwt: String) throws -> Verified {
        let parts = jwt.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let header = base64URL(parts[0]), let claims = base64URL(parts[1]) else {
            throw Failure.malformed
        }
        return Verified(header: try JSONParser.parse(header), claims: try JSONParser.parse(claims))
    }

    static func verify(_ jwt: String, jwks: JSONValue) throws -> Verified {
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
        -> JSONValue
    {
        let discovery = try await HTTP.get("\(simulator.baseURL)\(tenant)/.well-known/openid-configuration")
        let jwksURI = try #require(discovery.json["jwks_uri"]?.stringValue)
        return try await HTTP.get(jwksURI).json
    }
}
