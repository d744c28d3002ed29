import CofferFramework
import Foundation

/// The answer to the `sys/rekey/update` that reached the threshold: the new shares, and when verification is
/// required the nonce under which they must be submitted back before anything changes.
///
/// ```swift
/// completion.json   // {"nonce":"…","complete":true,"keys":["…"],"keys_base64":["…"],…}
/// ```
public struct RekeyCompletion: Sendable {
    public var nonce: String
    /// The new shares (hex and base64 in the JSON); empty when the seal holds the new key itself.
    public var shares: [[UInt8]]
    public var verificationNonce = ""

    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "nonce": .string(nonce), "complete": true,
            "keys": .array(shares.map { .string(Hex.encode($0)) }),
            "keys_base64": .array(shares.map { .string(Data($0).base64EncodedString()) }),
            "pgp_fingerprints": .null, "backup": false, "verification_required": .bool(!verificationNonce.isEmpty),
        ]
        if !verificationNonce.isEmpty { object["verification_nonce"] = .string(verificationNonce) }
        return .object(object)
    }
}
