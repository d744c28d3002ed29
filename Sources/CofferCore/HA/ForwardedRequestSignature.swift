import CofferStorage
import Crypto
import Foundation

/// Proves to the active node that a request came through a standby of the same cluster, so the active node may use
/// the client address the standby saw (for `token_bound_cidrs` and audit) instead of the standby's.
///
/// Both nodes hold the same 32-byte key, kept encrypted by the barrier at ``storagePath`` (created by the first
/// active node). The signature is an HMAC-SHA256 over the time, the client address, the method and the request
/// target, and is accepted for ``window`` either side of the active node's clock; without a valid one the active
/// node uses the connection's own address, as for any client.
///
/// ```swift
/// let key = try await ForwardedRequestSignature.loadKey(storage: barrier, create: true)
/// let header = ForwardedRequestSignature.sign(key: key, time: now, client: "10.0.0.7", method: "GET", target: "/v1/x")
/// ForwardedRequestSignature.verify(header, key: key, now: now, client: "10.0.0.7", method: "GET", target: "/v1/x")
/// ```
public enum ForwardedRequestSignature {
    static let storagePath = "core/ha/forwarding-key"
    public static let window: Double = 60

    static func loadKey(storage: any Storage, create: Bool) async throws -> SymmetricKey? {
        if let bytes = try await storage.get(storagePath), bytes.count == 32 { return SymmetricKey(data: bytes) }
        guard create else { return nil }
        let bytes = SecureRandom.bytes(32)
        try await storage.put(storagePath, value: bytes)
        return SymmetricKey(data: bytes)
    }

    static func message(time: Int64, client: String, method: String, target: String) -> [UInt8] {
        Array("\(time)\n\(client)\n\(method)\n\(target)".utf8)
    }

    /// `<unix seconds>.<hex HMAC>`.
    public static func sign(key: SymmetricKey, time: Double, client: String, method: String, target: String) -> String {
        let seconds = Int64(exactly: time.rounded(.down)) ?? 0
        let code = HMAC<SHA256>.authenticationCode(
            for: message(time: seconds, client: client, method: method, target: target), using: key)
        return "\(seconds)." + Hex.encode(Array(code))
    }

    public static func verify(
        _ signature: String, key: SymmetricKey, now: Double, client: String, method: String, target: String
    ) -> Bool {
        let parts = signature.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, let seconds = Int64(parts[0]), abs(Double(seconds) - now) <= window,
            let code = Hex.decode(String(parts[1])), code.count == 32
        else { return false }
        return HMAC<SHA256>.isValidAuthenticationCode(
            code, authenticating: message(time: seconds, client: client, method: method, target: target), using: key)
    }
}
