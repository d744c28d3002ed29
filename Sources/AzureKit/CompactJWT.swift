import CofferJSON
import Foundation

/// A compact-serialised JWS split into its parts, checked for shape and algorithm before any key or
/// network is involved (docs/azure-auth.md § Token verification).
///
/// ```swift
/// let jwt = try CompactJWT(parsing: token)     // AzureError.rejected("oidc: malformed jwt: …") when unusable
/// jwt.keyID; jwt.signingInput; jwt.signature; jwt.payload
/// ```
///
/// Works on the token's UTF-8 bytes throughout: splitting a `String` by `Character` walks grapheme
/// clusters and cost more than the RSA verification itself.
struct CompactJWT: Sendable {
    let keyID: String?
    /// `<header>.<payload>` as sent: the bytes the signature covers (a slice of the token's bytes).
    let signingInput: ArraySlice<UInt8>
    let payload: [UInt8]
    let signature: [UInt8]

    init(parsing token: String) throws(AzureError) {
        let bytes = Array(token.utf8)
        let dots = bytes.indices.filter { bytes[$0] == UInt8(ascii: ".") }
        guard dots.count == 2 else {
            throw Self.malformed("oidc: malformed jwt, expected 3 parts got \(dots.count + 1)")
        }
        let header = bytes[..<dots[0]]
        let body = bytes[(dots[0] + 1)..<dots[1]]
        let signature = bytes[(dots[1] + 1)...]
        guard let payload = Base64URL.decode(bytes: body) else {
            throw Self.malformed("oidc: malformed jwt payload: illegal base64 data")
        }
        // Only `alg` and `kid` are built; the rest of the header is checked as strictly and skipped.
        guard let headerBytes = Base64URL.decode(bytes: header),
            let fields = try? JSONParser.members(utf8: Self.headerNames, of: headerBytes)
        else {
            throw Self.malformed("failed to parse JWS header")
        }
        let algorithm = fields[0]?.stringValue
        guard algorithm == "RS256" else {
            throw Self.malformed("unexpected signature algorithm \"\(algorithm ?? "")\"; expected [\"RS256\"]")
        }
        guard !signature.isEmpty, let signatureBytes = Base64URL.decode(bytes: signature) else {
            throw Self.malformed("oidc: id token not signed")
        }
        self.keyID = fields[1]?.stringValue
        self.signingInput = bytes[..<dots[1]]
        self.payload = payload
        self.signature = signatureBytes
    }

    /// The header members read, as the parser compares them: `alg` then `kid`.
    private static let headerNames = [Array("alg".utf8), Array("kid".utf8)]

    private static func malformed(_ detail: String) -> AzureError {
        .rejected("oidc: malformed jwt: \(detail)")
    }
}
