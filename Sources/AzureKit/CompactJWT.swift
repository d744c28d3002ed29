import CofferJSON
import ExtrasBase64
import Foundation

/// A compact-serialised JWS split into its parts, checked for shape and algorithm before any key or
/// network is involved (spec §12.3).
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
        guard let payload = Self.base64URLDecode(body) else {
            throw Self.malformed("oidc: malformed jwt payload: illegal base64 data")
        }
        guard let headerBytes = Self.base64URLDecode(header),
            case .object(let fields)? = try? JSONParser.parse(headerBytes)
        else {
            throw Self.malformed("failed to parse JWS header")
        }
        let algorithm = fields["alg"]?.stringValue
        guard algorithm == "RS256" else {
            throw Self.malformed("unexpected signature algorithm \"\(algorithm ?? "")\"; expected [\"RS256\"]")
        }
        guard !signature.isEmpty, let signatureBytes = Self.base64URLDecode(signature) else {
            throw Self.malformed("oidc: id token not signed")
        }
        self.keyID = fields["kid"]?.stringValue
        self.signingInput = bytes[..<dots[1]]
        self.payload = payload
        self.signature = signatureBytes
    }

    private static func malformed(_ detail: String) -> AzureError {
        .rejected("oidc: malformed jwt: \(detail)")
    }

    /// Unpadded (or padded) base64url to bytes; nil for anything else, including standard-alphabet
    /// `+` and `/`.
    static func base64URLDecode(_ text: Substring) -> [UInt8]? {
        base64URLDecode(Array(text.utf8)[...])
    }

    static func base64URLDecode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        var end = text.endIndex
        while end > text.startIndex, text[end - 1] == UInt8(ascii: "=") { end -= 1 }
        // ExtrasBase64 reads a `=` inside the text as a digit; here it can only be trailing padding.
        guard text[..<end].withUnsafeBufferPointer({ $0.isEmpty || memchr($0.baseAddress!, 0x3D, $0.count) == nil })
        else {
            return nil
        }
        return try? Base64.decode(bytes: text[..<end], options: [.base64UrlAlphabet, .omitPaddingCharacter])
    }
}
