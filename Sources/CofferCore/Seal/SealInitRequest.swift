import CofferFramework

/// The parameters of `PUT sys/init`, checked in Vault's order (docs/seal.md § Initialising).
///
/// ```swift
/// let request = SealInitRequest(secretShares: 5, secretThreshold: 3)
/// let result = try await core.initializeSeal(request)     // LogicalError with Vault's text on a bad request
/// ```
public struct SealInitRequest: Sendable, Equatable {
    public var secretShares: Int
    public var secretThreshold: Int
    public var pgpKeys: [String]
    public var rootTokenPGPKey: String
    public var recoveryShares: Int
    public var recoveryThreshold: Int
    public var recoveryPGPKeys: [String]

    public init(
        secretShares: Int = 0, secretThreshold: Int = 0, pgpKeys: [String] = [], rootTokenPGPKey: String = "",
        recoveryShares: Int = 0, recoveryThreshold: Int = 0, recoveryPGPKeys: [String] = []
    ) {
        self.secretShares = secretShares
        self.secretThreshold = secretThreshold
        self.pgpKeys = pgpKeys
        self.rootTokenPGPKey = rootTokenPGPKey
        self.recoveryShares = recoveryShares
        self.recoveryThreshold = recoveryThreshold
        self.recoveryPGPKeys = recoveryPGPKeys
    }

    /// Vault's checks before it looks at storage: parameters of the other seal kind, PGP key counts, then the
    /// share configuration. `(shares, threshold)` are what the operators will hold.
    func validate(for type: SealType) throws(LogicalError) -> (shares: Int, threshold: Int) {
        var barrierFlags: [String] = []
        if secretShares != 0 { barrierFlags.append("secret_shares") }
        if secretThreshold != 0 { barrierFlags.append("secret_threshold") }
        if !pgpKeys.isEmpty { barrierFlags.append("pgp_keys") }
        var recoveryFlags: [String] = []
        if recoveryShares != 0 { recoveryFlags.append("recovery_shares") }
        if recoveryThreshold != 0 { recoveryFlags.append("recovery_threshold") }
        if !recoveryPGPKeys.isEmpty { recoveryFlags.append("recovery_pgp_keys") }
        let wrongKind = type.usesRecoveryKeys ? barrierFlags : recoveryFlags
        if !wrongKind.isEmpty {
            throw .badRequest(
                "parameters \(wrongKind.joined(separator: ",")) not applicable to seal type \(type.rawValue)")
        }
        let (shares, threshold, pgp) =
            type.usesRecoveryKeys
            ? (recoveryShares, recoveryThreshold, recoveryPGPKeys) : (secretShares, secretThreshold, pgpKeys)
        if !pgp.isEmpty, pgp.count != shares { throw .badRequest("incorrect number of PGP keys") }
        if let reason = SealConfiguration.validate(shares: shares, threshold: threshold) {
            throw .badRequest("invalid seal configuration: \(reason)")
        }
        // Encrypting shares to PGP keys is not implemented: refused rather than answered with plain shares.
        if !pgp.isEmpty || !rootTokenPGPKey.isEmpty {
            throw .badRequest("PGP encryption of keys and root tokens is not supported by this server")
        }
        return (shares, threshold)
    }
}
