import CofferFramework
import Foundation

/// Decodes a key share as typed by an operator, as Vault's unseal, generate-root and rekey handlers do:
/// hex first; when that fails or gives a length outside 16…33 bytes, standard base64.
///
/// ```swift
/// let bytes = try UnsealKeyText.decode("9f0c…")     // LogicalError 400 when neither decodes
/// try UnsealKeyText.checkLength(bytes, prefix: "invalid key: ")
/// ```
public enum UnsealKeyText {
    public static let minimumLength = 16
    public static let maximumLength = 33

    public static func decode(_ text: String) throws(LogicalError) -> [UInt8] {
        if let bytes = hex(text), (minimumLength...maximumLength).contains(bytes.count) { return bytes }
        if let data = Data(base64Encoded: text) { return Array(data) }
        throw .badRequest("'key' must be a valid hex or base64 string")
    }

    /// The length checks; `prefix` is `invalid key: ` on unseal and generate-root, empty on rekey.
    public static func checkLength(_ bytes: [UInt8], prefix: String) throws(LogicalError) {
        if bytes.count < minimumLength {
            throw .badRequest("\(prefix)key is shorter than minimum \(minimumLength) bytes")
        }
        if bytes.count > maximumLength {
            throw .badRequest("\(prefix)key is longer than maximum \(maximumLength) bytes")
        }
    }

    static func hex(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index + 1 < digits.count {
            guard let high = value(digits[index]), let low = value(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
