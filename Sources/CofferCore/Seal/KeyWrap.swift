import Crypto
import Foundation

/// AES-256-GCM wrapping of one key under another, with the storage path as additional data so a wrapped key
/// copied to another record does not open. Layout: nonce (12) | ciphertext | tag (16).
///
/// ```swift
/// let blob = try KeyWrap.wrap(rootKeyBytes, under: unsealKey, path: SealStoragePaths.rootKey)
/// let back = try KeyWrap.unwrap(blob, under: unsealKey, path: SealStoragePaths.rootKey)  // SealError on a wrong key
/// ```
enum KeyWrap {
    static func wrap(_ plaintext: [UInt8], under key: SymmetricKey, path: String) throws -> [UInt8] {
        let box = try AES.GCM.seal(plaintext, using: key, authenticating: Array(path.utf8))
        guard let combined = box.combined else { throw CryptoKitError.incorrectParameterSize }
        return Array(combined)
    }

    static func unwrap(_ blob: [UInt8], under key: SymmetricKey, path: String) throws(SealError) -> [UInt8] {
        do {
            let box = try AES.GCM.SealedBox(combined: blob)
            return Array(try AES.GCM.open(box, using: key, authenticating: Array(path.utf8)))
        } catch {
            throw .authenticationFailed
        }
    }
}
