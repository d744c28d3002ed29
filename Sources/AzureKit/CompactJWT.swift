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

    /// Unpadded (or padded) base64url to bytes; nil for anything else, including standard-alphabet
    /// `+` and `/`. Byte-wise: `replacingOccurrences` on Linux bridges through NSString and was the
    /// single largest cost of a login.
    static func base64URLDecode(_ text: Substring) -> Data? {
        var bytes = Array(text.utf8)
        while bytes.last == UInt8(ascii: "=") { bytes.removeLast() }
        for index in bytes.indices {
            switch bytes[index] {
            case UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="): return nil
            case UInt8(ascii: "-"): bytes[index] = UInt8(ascii: "+")
            case UInt8(ascii: "_"): bytes[index] = UInt8(ascii: "/")
            default: break
            }
        }
        let remainder = bytes.count % 4
        if remainder == 1 { return nil }
        if remainder > 0 { bytes += Array(repeating: UInt8(ascii: "="), count: 4 - remainder) }
        return Data(base64Encoded: Data(bytes))
    }
}
