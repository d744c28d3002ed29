/// The operations that collect key shares on an unsealed server — root token generation, rekey of the unseal
/// key and rekey of the recovery key — held by the ``Core`` and wiped when it seals (docs/seal.md).
///
/// ```swift
/// let attempts = KeyAttempts()
/// try await attempts.rootGeneration.start(otp: RootTokenOTP.generate())
/// attempts.wipe()   // at seal: no share or pending key stays in memory
/// ```
public final class KeyAttempts: Sendable {
    public let rootGeneration = RootGeneration()
    public let barrierRekey = RekeyOperation(kind: .barrier)
    public let recoveryRekey = RekeyOperation(kind: .recovery)

    public init() {}

    /// Ends every attempt and zeroes its shares and pending keys.
    public func wipe() {
        rootGeneration.wipe()
        barrierRekey.wipe()
        recoveryRekey.wipe()
    }
}
