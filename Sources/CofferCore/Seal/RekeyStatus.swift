import CofferFramework

/// The object `GET sys/rekey/init` (and a rekey update below the threshold) answers with
/// (docs/seal.md § Rekey): the new shares/threshold being asked for, the current threshold and progress.
///
/// ```swift
/// RekeyStatus(required: 3).json   // {"nonce":"","started":false,"t":0,"n":0,"progress":0,"required":3,…}
/// ```
public struct RekeyStatus: Sendable, Equatable {
    public var nonce = ""
    public var started = false
    /// The new threshold and number of shares; 0 when no rekey runs.
    public var newThreshold = 0
    public var newShares = 0
    public var progress = 0
    /// The current threshold: how many existing shares the rekey needs.
    public var required: Int
    public var verificationRequired = false
    /// Set once the new shares are out and await `sys/rekey/verify`.
    public var verificationNonce = ""

    public init(required: Int) {
        self.required = required
    }

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "nonce": .string(nonce), "started": .bool(started), "t": .int(Int64(newThreshold)),
            "n": .int(Int64(newShares)), "progress": .int(Int64(progress)), "required": .int(Int64(required)),
            // PGP is not supported: no fingerprints, never a backup.
            "pgp_fingerprints": .null, "backup": false, "verification_required": .bool(verificationRequired),
        ]
        if !verificationNonce.isEmpty { object["verification_nonce"] = .string(verificationNonce) }
        return .object(object)
    }
}
