import CofferFramework

/// The object `sys/rekey/verify` answers with while the new shares are being verified.
///
/// ```swift
/// RekeyVerificationStatus(nonce: n, started: true, newThreshold: 2, newShares: 3, progress: 1).json
/// // {"nonce":"…","started":true,"t":2,"n":3,"progress":1}
/// ```
public struct RekeyVerificationStatus: Sendable, Equatable {
    public var nonce: String
    public var started: Bool
    public var newThreshold: Int
    public var newShares: Int
    public var progress: Int

    public var json: JSONValue {
        [
            "nonce": .string(nonce), "started": .bool(started), "t": .int(Int64(newThreshold)),
            "n": .int(Int64(newShares)), "progress": .int(Int64(progress)),
        ]
    }
}
