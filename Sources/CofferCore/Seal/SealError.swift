import CofferStorage

/// Why a set of key shares was refused by ``SealManager``. The descriptions are Vault's texts; the
/// endpoints prefix them as Vault does for each operation (unseal, generate-root, rekey).
///
/// ```swift
/// do { try await core.sealManager.verifyKeyShares(parts) }
/// catch SealError.combine(let why) { … "failed to compute root key: \(why)" }
/// catch SealError.authenticationFailed { … "unable to retrieve stored keys: \(SealError.authenticationFailed)" }
/// ```
public enum SealError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Shamir refused the parts (duplicate x-coordinate, unequal lengths, too short).
    case combine(ShamirError)
    /// The combined key does not open the stored key: a wrong share set.
    case authenticationFailed
    case notInitialized
    case sealed
    /// No static key is configured, or the stored records do not fit the configured seal.
    case misconfigured(String)

    public var description: String {
        switch self {
        case .combine(let why): "failed to compute root key: \(why)"
        case .authenticationFailed:
            "invalid key: failed to decrypt keys from storage: cipher: message authentication failed"
        case .notInitialized: "Vault is not initialized"
        case .sealed: "Vault is sealed"
        case .misconfigured(let why): why
        }
    }
}
