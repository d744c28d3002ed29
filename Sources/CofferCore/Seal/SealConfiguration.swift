/// How a server's unseal key (and, on an auto-unseal seal, its recovery key) is shared out, as stored in
/// plaintext at `core/seal-config` so `sys/seal-status` can answer while sealed (docs/seal.md).
///
/// ```swift
/// let shamir = SealConfiguration(type: .shamir, secretShares: 5, secretThreshold: 3)
/// shamir.shownShares        // 5: what seal-status reports as `n`
/// let auto = SealConfiguration(type: .staticKey, secretShares: 1, secretThreshold: 1,
///                              recoveryShares: 3, recoveryThreshold: 2)
/// auto.isRecoverySeal       // true; `n` is 3
/// ```
public struct SealConfiguration: Sendable, Equatable, Codable {
    public var type: SealType
    public var secretShares: Int
    public var secretThreshold: Int
    public var recoveryShares: Int
    public var recoveryThreshold: Int

    public init(
        type: SealType, secretShares: Int, secretThreshold: Int, recoveryShares: Int = 0, recoveryThreshold: Int = 0
    ) {
        self.type = type
        self.secretShares = secretShares
        self.secretThreshold = secretThreshold
        self.recoveryShares = recoveryShares
        self.recoveryThreshold = recoveryThreshold
    }

    /// Whether operators hold recovery keys rather than unseal keys (every auto-unseal seal).
    public var isRecoverySeal: Bool { type.usesRecoveryKeys }
    /// `n` of seal-status: the shares operators hold.
    public var shownShares: Int { isRecoverySeal ? recoveryShares : secretShares }
    /// `t` of seal-status: how many of them a quorum needs.
    public var shownThreshold: Int { isRecoverySeal ? recoveryThreshold : secretThreshold }

    enum CodingKeys: String, CodingKey {
        case type
        case secretShares = "secret_shares"
        case secretThreshold = "secret_threshold"
        case recoveryShares = "recovery_shares"
        case recoveryThreshold = "recovery_threshold"
    }

    /// Vault's `SealConfig.Validate` checks, in its order; the reason is what follows
    /// `invalid seal configuration: ` in the init error.
    public static func validate(shares: Int, threshold: Int) -> String? {
        if shares < 1 { return "shares must be at least one" }
        if threshold < 1 { return "threshold must be at least one" }
        if shares > 1, threshold == 1 { return "threshold must be greater than one for multiple shares" }
        if shares > 255 { return "shares must be less than 256" }
        if threshold > 255 { return "threshold must be less than 256" }
        if threshold > shares { return "threshold cannot be larger than shares" }
        return nil
    }
}
