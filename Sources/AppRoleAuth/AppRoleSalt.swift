import CofferStorage
import Crypto
import Foundation

/// The mount's salt and the HMAC it keys: secret ids, accessors and role ids are stored under their salted
/// HMAC-SHA256, so the storage never holds a secret id and cannot be searched for one without the salt.
///
/// ```swift
/// let salt = try await AppRoleSalt.loadOrCreate(storage)
/// let key = salt.hmac(secretID)   // 64 hex characters
/// ```
struct AppRoleSalt: Sendable {
    let key: SymmetricKey

    static let storageKey = "salt"

    static func loadOrCreate(_ storage: any Storage) async throws -> AppRoleSalt {
        if let bytes = try await storage.get(storageKey) { return AppRoleSalt(key: SymmetricKey(data: bytes)) }
        let key = SymmetricKey(size: .bits256)
        try await storage.put(storageKey, value: key.withUnsafeBytes { Array($0) })
        return AppRoleSalt(key: key)
    }

    func hmac(_ value: String) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Data(value.utf8), using: key)
        return code.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
