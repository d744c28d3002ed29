import Crypto
import Foundation

/// A seal key given directly: 64 hex characters or the base64 of exactly 32 bytes.
///
/// Error messages describe the shape of the input, never its content, so a mistyped key does not
/// end up in logs.
///
/// ```swift
/// let text = StaticSealKey.generate()               // "q1X…=" (44 base64 characters)
/// let key = try StaticSealKey.parse(text)
/// let fromFile = try StaticSealKey.load(file: "/etc/coffer/seal.key")
/// ```
public enum StaticSealKey {
    public static func parse(_ text: String) throws -> SymmetricKey {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !trimmed.isEmpty else { throw StorageError.invalidSealKey("the key is empty") }
        if let bytes = hexBytes(trimmed) {
            guard bytes.count == 32 else {
                throw StorageError.invalidSealKey("hex key must be 64 characters (32 bytes), got \(trimmed.count)")
            }
            return SymmetricKey(data: bytes)
        }
        if let data = Data(base64Encoded: trimmed) {
            guard data.count == 32 else {
                throw StorageError.invalidSealKey("base64 key must decode to 32 bytes, got \(data.count)")
            }
            return SymmetricKey(data: data)
        }
        throw StorageError.invalidSealKey(
            "expected 64 hex characters or base64 of 32 bytes (\(trimmed.count) characters given)")
    }

    /// Reads the key from `file`, which only its owner may read or write: a key others can read unlocks every
    /// secret, so a group- or world-accessible file is refused rather than used.
    public static func load(file: String) throws -> SymmetricKey {
        var status = stat()
        guard stat(file, &status) == 0 else { throw StorageError.invalidSealKey("cannot read seal key file \(file)") }
        let permissions = status.st_mode & 0o777
        guard permissions & 0o077 == 0 else {
            throw StorageError.invalidSealKey(
                "seal key file \(file) is accessible by group or others (mode \(String(permissions, radix: 8))); "
                    + "run chmod 600 \(file)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: file))
        } catch {
            throw StorageError.invalidSealKey("cannot read seal key file \(file)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw StorageError.invalidSealKey("seal key file \(file) is not UTF-8 text")
        }
        do {
            return try parse(text)
        } catch StorageError.invalidSealKey(let why) {
            throw StorageError.invalidSealKey("\(file): \(why)")
        }
    }

    /// A new random 256-bit key, base64-encoded.
    public static func generate() -> String {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0).base64EncodedString() }
    }

    /// The bytes of `text` if it is entirely hex digits of even length.
    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(digits.count / 2)
        var index = 0
        while index < digits.count {
            guard let high = hexValue(digits[index]), let low = hexValue(digits[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        return bytes
    }

    private static func hexValue(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return digit - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
