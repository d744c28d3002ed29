import CofferFramework
import CofferHTTP
import Foundation
import Hummingbird
import JWTKit
import NIOCore

/// The benchmark's baseline: `POST /verify` with `{"jwt":"…"}` verifies the RS256 token against a fixed
/// JWKS with jwt-kit (signature, `exp`, `aud`, `iss`) and answers `{"ok":true}` — the least work a login can
/// do, on the same HTTP stack as Coffer (``VaultHTTPServer``, ``CofferRequestContext``, Coffer's JSON parser).
///
/// ```swift
/// let jwks = String(decoding: simulator.jwks().serialized(), as: UTF8.self)
/// let responder = try await VerifyResponder(jwks: jwks, audience: aud, issuer: iss)
/// let app = Application(responder: responder, server: VaultHTTPServer.http1(), configuration: …)
/// ```
struct VerifyResponder: HTTPResponder {
    typealias Context = CofferRequestContext

    let keys: JWTKeyCollection
    let audience: String
    let issuer: String

    /// Loads the keys once; without a default key, a token naming no known `kid` is refused.
    init(jwks: String, audience: String, issuer: String) async throws {
        let keys = JWTKeyCollection()
        try await keys.add(jwksJSON: jwks)
        await keys.clearDefault()
        self.keys = keys
        self.audience = audience
        self.issuer = issuer
    }

    func respond(to request: Request, context: Context) async throws -> Response {
        guard request.method == .post, request.uri.path == "/verify" else { return Self.answer(.notFound, "not found") }
        var body = try await request.body.collect(upTo: 64 << 10)
        guard let bytes = body.readBytes(length: body.readableBytes),
            let object = try? JSONValue.parseObject(bytes), let jwt = object["jwt"]?.stringValue
        else { return Self.answer(.badRequest, "missing jwt") }
        guard await verify(jwt) else { return Self.answer(.badRequest, "invalid token") }
        return Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: #"{"ok":true}"#)))
    }

    /// True when `jwt` is an RS256 token signed by one of the keys, unexpired, for the audience and issuer.
    func verify(_ jwt: String) async -> Bool {
        do {
            guard try Self.algorithm(of: jwt) == "RS256" else { return false }
            let claims = try await keys.verify(jwt, as: Claims.self)
            guard claims.iss.value == issuer else { return false }
            try claims.aud.verifyIntendedAudience(includes: audience)
            return true
        } catch {
            return false
        }
    }

    /// The header's `alg`, read before any key is touched (jwt-kit picks the signer by `kid` and would
    /// otherwise never look at it). Byte-wise: Foundation's string replacing is slow on Linux.
    static func algorithm(of jwt: String) throws -> String? {
        var base64 = Array(jwt.utf8.prefix { $0 != UInt8(ascii: ".") }).map { byte in
            switch byte {
            case UInt8(ascii: "-"): UInt8(ascii: "+")
            case UInt8(ascii: "_"): UInt8(ascii: "/")
            default: byte
            }
        }
        base64 += repeatElement(UInt8(ascii: "="), count: (4 - base64.count % 4) % 4)
        guard let header = Data(base64Encoded: Data(base64)) else { return nil }
        return try JSONValue.parseObject(Array(header))?["alg"]?.stringValue
    }

    static func answer(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(
                byteBuffer: ByteBuffer(bytes: JSONValue.object(["error": .string(message)]).serialized())))
    }

    /// The claims every Entra ID access token carries; `exp` is checked by jwt-kit after the signature.
    struct Claims: JWTPayload {
        var iss: IssuerClaim
        var aud: AudienceClaim
        var exp: ExpirationClaim

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }
}
