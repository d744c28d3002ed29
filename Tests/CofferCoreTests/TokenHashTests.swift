import CofferStorage
import Crypto
import Foundation
import Testing

@testable import CofferCore

@Suite struct TokenHashTests {
    /// The stored hash is HMAC-SHA256 of the token under the salt, however many tokens were hashed before
    /// (the keyed state is copied, never shared).
    @Test func hashIsHMACOfTheTokenUnderTheSalt() async throws {
        let barrier = Barrier(physical: MemoryPhysical())
        try await barrier.initialize(sealKey: SymmetricKey(size: .bits256))
        let store = try await TokenStore.load(storage: barrier)
        for id in ["hvs.a", "hvs.b", "hvs.a", "", "hvs.é"] {
            let expected = HMAC<SHA256>.authenticationCode(for: Array(id.utf8), using: store.salt)
            #expect(store.hash(id) == expected.map { String(format: "%02x", $0) }.joined())
        }
    }
}

@Suite struct ExpirationHashTests {
    /// The heap's compact form gives back exactly the hash it was given, store hashes or not.
    @Test func heapHashesRoundTrip() {
        let digest = String(repeating: "0123456789abcdef", count: 4)
        for text in [digest, "f" + digest.dropFirst(), digest.uppercased(), String(digest.dropLast()), "", "not-hex"] {
            #expect(ExpirationManager.TokenHash(text).text == text, "\(text)")
        }
        #expect(
            ExpirationManager.TokenHash(digest)
                == .digest(
                    0x0123_4567_89ab_cdef, 0x0123_4567_89ab_cdef,
                    0x0123_4567_89ab_cdef, 0x0123_4567_89ab_cdef))
    }
}
