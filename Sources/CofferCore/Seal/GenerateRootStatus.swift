import CofferFramework

/// The object every `sys/generate-root/*` answer carries (docs/seal.md § Root token generation): whether an
/// attempt runs, its nonce and progress, the threshold, and — in the final update only — the encoded token.
///
/// ```swift
/// let status = GenerateRootStatus(nonce: "", started: false, progress: 0, required: 3)
/// status.json   // {"nonce":"","started":false,…,"otp_length":28}
/// ```
public struct GenerateRootStatus: Sendable, Equatable {
    public var nonce: String
    public var started: Bool
    public var progress: Int
    /// The shares needed: the unseal threshold, or the recovery threshold on a seal with recovery keys.
    public var required: Int
    public var complete = false
    /// The new root token XORed with the attempt's OTP (``RootTokenOTP``); empty until complete.
    public var encodedToken = ""
    /// Only in the answer to a start where the server generated the OTP.
    public var otp = ""

    public init(nonce: String, started: Bool, progress: Int, required: Int) {
        self.nonce = nonce
        self.started = started
        self.progress = progress
        self.required = required
    }

    public var json: JSONValue {
        [
            "nonce": .string(nonce), "started": .bool(started), "progress": .int(Int64(progress)),
            "required": .int(Int64(required)), "complete": .bool(complete), "encoded_token": .string(encodedToken),
            "encoded_root_token": .string(encodedToken),
            // PGP-encrypted tokens are not supported, so there is never a fingerprint.
            "pgp_fingerprint": "", "otp": .string(otp), "otp_length": .int(Int64(RootTokenOTP.length)),
        ]
    }
}
