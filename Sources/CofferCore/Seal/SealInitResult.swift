/// What `sys/init` hands back once: the key shares (unseal keys on Shamir, recovery keys on an auto-unseal
/// seal) and the initial root token. Never logged or stored.
///
/// ```swift
/// let result = try await core.initializeSeal(SealInitRequest(secretShares: 5, secretThreshold: 3))
/// result.keys.count        // 5 shares of 33 bytes; result.recoveryKeys is empty
/// ```
public struct SealInitResult: Sendable {
    public var keys: [[UInt8]]
    public var recoveryKeys: [[UInt8]]
    public var rootToken: String
}
