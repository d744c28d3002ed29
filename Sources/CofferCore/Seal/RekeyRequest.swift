/// The body of `PUT sys/rekey/init` (and `sys/rekey-recovery-key/init`), as decoded by the HTTP layer.
///
/// ```swift
/// let request = RekeyRequest(secretShares: 3, secretThreshold: 2, requireVerification: true)
/// let status = try await core.startRekey(request, recovery: false)
/// ```
public struct RekeyRequest: Sendable, Equatable {
    public var secretShares: Int
    public var secretThreshold: Int
    public var pgpKeys: [String]
    public var backup: Bool
    public var requireVerification: Bool

    public init(
        secretShares: Int, secretThreshold: Int, pgpKeys: [String] = [], backup: Bool = false,
        requireVerification: Bool = false
    ) {
        self.secretShares = secretShares
        self.secretThreshold = secretThreshold
        self.pgpKeys = pgpKeys
        self.backup = backup
        self.requireVerification = requireVerification
    }
}
