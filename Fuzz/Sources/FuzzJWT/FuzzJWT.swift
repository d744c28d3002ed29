import FuzzSupport

@testable import AzureKit

// Input: a compact JWS (`header.payload.signature`) or a bare claims payload; every input is tried as both.
// The token is split and its header decoded by `CompactJWT`, and a payload it yields, like the raw input,
// goes through the claim decoding `AzureTokenVerifier` runs before any key or network is involved. Every
// refusal must be `AzureError.rejected` with the `oidc: ` wording (the caller answers 400), nothing else.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJWT(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    var input = FuzzInput(start, count)
    let bytes = input.rest()
    decodeClaims(bytes)
    let token = String(decoding: bytes, as: UTF8.self)
    do {
        let jwt = try CompactJWT(parsing: token)
        let tokenBytes = Array(token.utf8)
        fuzzCheck(
            tokenBytes.starts(with: jwt.signingInput) && tokenBytes[jwt.signingInput.count] == UInt8(ascii: "."),
            "signing input is not the token up to its second dot: \(describe(tokenBytes))")
        decodeClaims(jwt.payload)
    } catch {
        expectRejected(error, bytes)
    }
    return 0
}

func decodeClaims(_ payload: [UInt8]) {
    do {
        let claims = try AzureTokenClaims(payload: payload)
        fuzzCheck(!claims.expiresAt.isNaN, "exp decoded as NaN from \(describe(payload))")
    } catch {
        expectRejected(error, payload)
    }
}

func expectRejected(_ error: AzureError, _ bytes: [UInt8]) {
    guard case .rejected(let message) = error else {
        fuzzCheck(false, "refused with \(error), not .rejected: \(describe(bytes))")
        return
    }
    fuzzCheck(message.hasPrefix("oidc: "), "rejection without the oidc: prefix: \(message)")
}
