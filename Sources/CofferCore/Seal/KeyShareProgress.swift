/// The distinct shares submitted so far in one generate-root, rekey or rekey-verification attempt.
/// Duplicates are found in constant time per comparison (the shares are secret), and every share is
/// zeroed when the attempt is cleared.
///
/// ```swift
/// var progress = KeyShareProgress()
/// guard progress.add(share) else { throw duplicate }
/// if progress.count >= threshold { let shares = progress.take() /* progress is now empty */ }
/// ```
struct KeyShareProgress: Sendable {
    private(set) var shares: [[UInt8]] = []

    var count: Int { shares.count }

    /// Adds `share`; false (and nothing added) when the same bytes were already submitted.
    mutating func add(_ share: [UInt8]) -> Bool {
        for existing in shares where Self.constantTimeEqual(existing, share) { return false }
        shares.append(share)
        return true
    }

    /// Hands the shares over and leaves the progress empty (Vault clears it before checking the set).
    mutating func take() -> [[UInt8]] {
        let taken = shares
        shares = []
        return taken
    }

    /// Zeroes and forgets every share.
    mutating func wipe() {
        for index in shares.indices {
            for byte in shares[index].indices { shares[index][byte] = 0 }
        }
        shares = []
    }

    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }
}

extension KeyShareProgress {
    /// Zeroes a list of shares handed out by ``take()`` once the caller is done with it.
    static func wipe(_ shares: inout [[UInt8]]) {
        for index in shares.indices {
            for byte in shares[index].indices { shares[index][byte] = 0 }
        }
        shares = []
    }
}
