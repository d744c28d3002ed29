import Foundation

/// A compact-serialised JWS split into its parts, checked for shape and algorithm before any key or
/// network is involved (spec §12.3).
///
/// ```swift
/// let jwt = try CompactJWT(parsing: token)     // AzureError.rejected("oidc: malformed jwt: …") when unusable
/// jwt.keyID; jwt.signingInput; jwt.signature; jwt.payload
/// ```
struct CompactJWT: Sendable {
    let keyID: String?
    /// `<header>.<payload>` as sent: the bytes the signature covers.
    let signingInput: Data
    let payload: Data
    let signature: Data

    private struct Header: Decodable {
        var alg: String?
        var kid: String?
    }

    init(parsing token: String) throws(AzureError) {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            throw Self.malformed("oidc: malformed jwt, expected 3 parts got \(parts.count)")
        }
        guard let payload = Self.base64URLDecode(parts[1]) else {
            throw Self.malformed("oidc: malformed jwt payload: illegal base64 data")
        }
        guard let headerData = Self.base64URLDecode(parts[0]),
            let header = try? JSONDecoder().decode(Header.self, from: headerData)
        else {
            throw Self.malformed("failed to parse JWS header")
        }
        guard header.alg == "RS256" else {
            throw Self.malformed("unexpected signature algorithm \"\(header.alg ?? "")\"; expected [\"RS256\"]")
        }
        guard !parts[2].isEmpty, let signature = Self.base64URLDecode(parts[2]) else {
            throw Self.malformed("oidc: id token not signed")
        }
        self.keyID = header.kid
        self.signingInput = Data(token.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        self.payload = payload
        self.signature = signature
    }

    private static func malformed(_ detail: String) -> AzureError {
        .rejected("oidc: malformed jwt: \(detail)")
    }

    /// Unpadded base64url (padding tolerated); nil on any other character.
    static func base64URLDecode(_ text: Substring) -> Data? {
        var base64 = String(text)
        if base64.hasSuffix("=") { base64 = String(base64.prefix { $0 != "=" }) }
        guard base64.utf8.allSatisfy({ $0 != UInt8(ascii: "+") && $0 != UInt8(ascii: "/") }) else { return nil }
        base64 = base64.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        let remainder = base64.utf8.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { base64 += String(repeating: "=", count: 4 - remainder) }
        return Data(base64Encoded: base64)
    }
}
