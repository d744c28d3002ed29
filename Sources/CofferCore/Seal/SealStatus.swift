/// What `sys/seal-status` (and `sys/unseal`) report, field for field (docs/seal.md § seal-status).
///
/// ```swift
/// let status = core.sealStatus()
/// if status.sealed { print("\(status.progress)/\(status.threshold) shares, attempt \(status.nonce)") }
/// ```
public struct SealStatus: Sendable, Equatable {
    public var type: SealType
    public var initialized: Bool
    public var sealed: Bool
    /// `t` and `n`: the recovery values on a recovery seal, 0 while uninitialised.
    public var threshold: Int
    public var shares: Int
    public var progress: Int
    public var nonce: String
    public var recoverySeal: Bool
    public var storageType: String
    /// Only while unsealed.
    public var clusterName: String?
    public var clusterID: String?
}
