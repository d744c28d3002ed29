import Foundation

/// The shares submitted so far towards one unseal, and the attempt's nonce. Cleared (and its bytes zeroed)
/// on reset, at the threshold whatever the outcome, and when the server seals.
///
/// ```swift
/// var attempt = UnsealAttempt()
/// attempt.add(share)          // false when it was already there
/// attempt.progress            // 1; attempt.nonce is a new UUID
/// attempt.clear()
/// ```
struct UnsealAttempt: Sendable {
    private(set) var parts: [[UInt8]] = []
    private(set) var nonce = ""

    var progress: Int { parts.count }

    /// Records `part` unless a byte-identical one is already held; the first part names the attempt.
    mutating func add(_ part: [UInt8]) -> Bool {
        if parts.contains(where: { Self.equal($0, part) }) { return false }
        if parts.isEmpty { nonce = UUID().uuidString.lowercased() }
        parts.append(part)
        return true
    }

    /// Hands the parts over and forgets them.
    mutating func take() -> [[UInt8]] {
        let taken = parts
        parts = []
        nonce = ""
        return taken
    }

    mutating func clear() {
        for index in parts.indices { Self.wipe(&parts[index]) }
        parts = []
        nonce = ""
    }

    static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBufferPointer { buffer in
            for index in buffer.indices { buffer[index] = 0 }
        }
    }

    /// Constant time in the contents, so timing does not reveal how much of a share matched a held one.
    static func equal(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }
}
