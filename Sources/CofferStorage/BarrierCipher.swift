import Crypto
import Foundation

/// The barrier's value format and AES-256-GCM sealing.
///
/// Layout: `version (1) | term (4, big-endian) | nonce (12) | ciphertext | tag (16)`. The storage
/// path is the additional authenticated data, so a value copied to another key fails to open.
///
/// ```swift
/// let blob = try BarrierCipher.encrypt(plaintext, key: key, term: 3, path: "logical/x/config")
/// let header = BarrierCipher.Header(blob)!  // header.term == 3
/// let back = try BarrierCipher.decrypt(blob, header: header, key: key, path: "logical/x/config")
/// ```
enum BarrierCipher {
    static let version: UInt8 = 1
    static let nonceSize = 12
    static let tagSize = 16
    static let headerSize = 1 + 4 + nonceSize

    struct Header {
        let term: UInt32

        /// Parses the header of `blob`, or `nil` when it is too short or of an unknown version.
        init?(_ blob: [UInt8]) {
            guard blob.count >= BarrierCipher.headerSize + BarrierCipher.tagSize, blob[0] == BarrierCipher.version
            else { return nil }
            term = blob[1..<5].reduce(0) { $0 << 8 | UInt32($1) }
        }
    }

    static func encrypt(_ plaintext: [UInt8], key: SymmetricKey, term: UInt32, path: String) throws -> [UInt8] {
        // A login seals three or four values: the nonce comes from the random pool without an array of its own,
        // and the blob is allocated once at its final size.
        var nonceBytes: (UInt64, UInt32) = (0, 0)
        let nonce = try withUnsafeMutableBytes(of: &nonceBytes) { raw in
            SecureRandom.fill(raw)
            return try AES.GCM.Nonce(data: UnsafeRawBufferPointer(raw))
        }
        let box = try AES.GCM.seal(plaintext, using: key, nonce: nonce, authenticating: Array(path.utf8))
        // `combined` is nonce | ciphertext | tag, the blob's layout after the version and term.
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        let prefix = 5
        return [UInt8](unsafeUninitializedCapacity: prefix + combined.count) { blob, initialized in
            blob[0] = version
            blob[1] = UInt8(term >> 24)
            blob[2] = UInt8(term >> 16 & 0xFF)
            blob[3] = UInt8(term >> 8 & 0xFF)
            blob[4] = UInt8(term & 0xFF)
            combined.copyBytes(to: UnsafeMutableBufferPointer(rebasing: blob[prefix...]))
            initialized = prefix + combined.count
        }
    }

    /// Throws CryptoKit's authentication error when the key, the path or any byte is wrong.
    static func decrypt(_ blob: [UInt8], header: Header, key: SymmetricKey, path: String) throws -> [UInt8] {
        let box = try AES.GCM.SealedBox(
            nonce: AES.GCM.Nonce(data: blob[5..<headerSize]),
            ciphertext: blob[headerSize..<(blob.count - tagSize)],
            tag: blob[(blob.count - tagSize)...])
        return Array(try AES.GCM.open(box, using: key, authenticating: Array(path.utf8)))
    }
}
