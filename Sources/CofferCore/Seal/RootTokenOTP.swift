import Foundation

/// Vault's one-time-pad protection of a generated root token (docs/seal.md § Root token generation): the
/// operator starts `sys/generate-root` with a 28-character OTP, the server answers with the new token XORed
/// with it byte for byte and written as unpadded standard base64, and only the OTP's holder can read it.
///
/// The server encodes; `coffer operator generate-root -decode=… -otp=…` decodes with the same type.
///
/// ```swift
/// let otp = RootTokenOTP.generate()                        // 28 base62 characters
/// let encoded = try RootTokenOTP.encode(token: rootToken, otp: otp)
/// let token = try RootTokenOTP.decode(encoded, otp: otp)   // == rootToken
/// ```
public enum RootTokenOTP {
    /// The length of every root token (`hvs.` and 24 base62 characters), so also of every OTP.
    public static let length = 28

    /// Why a token could not be encoded or decoded.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// The OTP and the token (or the decoded bytes) differ in length.
        case lengthMismatch
        /// The encoded token is not unpadded standard base64.
        case invalidEncoding
        /// The XOR gives bytes that are not UTF-8 text (a wrong OTP).
        case notText

        public var description: String {
            switch self {
            case .lengthMismatch: "length of the OTP and the token differ"
            case .invalidEncoding: "error decoding base64'd token: illegal base64 data"
            case .notText: "the decoded token is not text; is the OTP the one the attempt was started with?"
            }
        }
    }

    /// A fresh OTP from the kernel CSPRNG: 28 characters of `[0-9A-Za-z]`.
    public static func generate() -> String {
        TokenStore.randomBase62(length)
    }

    /// The token XORed with the OTP, as unpadded standard base64 (38 characters for a root token).
    public static func encode(token: String, otp: String) throws(Failure) -> String {
        let tokenBytes = Array(token.utf8)
        let otpBytes = Array(otp.utf8)
        guard tokenBytes.count == otpBytes.count else { throw .lengthMismatch }
        let mixed = zip(tokenBytes, otpBytes).map { $0 ^ $1 }
        return String(Data(mixed).base64EncodedString().prefix { $0 != "=" })
    }

    /// The token an ``encode(token:otp:)`` result hides, given the same OTP.
    public static func decode(_ encoded: String, otp: String) throws(Failure) -> String {
        // Raw (unpadded) base64, as Go's RawStdEncoding reads it: padding is put back for Foundation's decoder.
        guard !encoded.contains("="), encoded.utf8.count % 4 != 1,
            let data = Data(base64Encoded: encoded + String(repeating: "=", count: (4 - encoded.utf8.count % 4) % 4))
        else { throw .invalidEncoding }
        let mixed = Array(data)
        let otpBytes = Array(otp.utf8)
        guard mixed.count == otpBytes.count else { throw .lengthMismatch }
        let plain = zip(mixed, otpBytes).map { $0 ^ $1 }
        guard let token = String(validating: plain, as: UTF8.self) else { throw .notText }
        return token
    }
}
