import Synchronization

/// Vault's user lockout for one auth mount (docs/userpass-auth.md and docs/approle.md § Lockout): `threshold` failed
/// logins of an existing name (a userpass user, an AppRole role id), each within `counterReset` seconds of the
/// previous one, lock that name for `duration` seconds; a locked name's logins are refused before its credential is
/// checked, and a successful login clears the count.
///
/// ```swift
/// let lockout = LoginLockout(now: { clock.seconds })
/// if lockout.isLocked("alice") { throw LogicalError.forbidden("permission denied") }
/// passwordMatched ? lockout.succeeded("alice") : lockout.failed("alice")
/// ```
/// Kept in memory: a restart or another HA node starts with no failures counted.
public final class LoginLockout: Sendable {
    /// Vault's defaults: 5 failures, a 15-minute lock, counters reset after 15 minutes without a failure.
    public static let defaultThreshold = 5
    public static let defaultDuration: Double = 15 * 60
    public static let defaultCounterReset: Double = 15 * 60

    private struct Failures {
        var count: Int
        var last: Double
    }

    public let threshold: Int
    public let duration: Double
    public let counterReset: Double
    private let now: @Sendable () -> Double
    private let failures = Mutex<[String: Failures]>([:])

    public init(
        threshold: Int = defaultThreshold, duration: Double = defaultDuration,
        counterReset: Double = defaultCounterReset, now: @escaping @Sendable () -> Double
    ) {
        self.threshold = threshold
        self.duration = duration
        self.counterReset = counterReset
        self.now = now
    }

    /// Whether `name` is locked now; a lock that has run its time is dropped.
    public func isLocked(_ name: String) -> Bool {
        let time = now()
        return failures.withLock { table in
            guard let entry = table[name], entry.count >= threshold else { return false }
            if time - entry.last >= duration {
                table[name] = nil
                return false
            }
            return true
        }
    }

    /// Counts a failed login (wrong password, invalid secret id) of an existing name.
    public func failed(_ name: String) {
        let time = now()
        failures.withLock { table in
            if let entry = table[name], time - entry.last < counterReset {
                table[name] = Failures(count: min(entry.count, threshold) + 1, last: time)
            } else {
                table[name] = Failures(count: 1, last: time)
            }
        }
    }

    public func succeeded(_ name: String) {
        _ = failures.withLock { $0.removeValue(forKey: name) }
    }

    /// Forgets a deleted name's failures, so a user or role id created again under it starts clean.
    public func forget(_ name: String) { succeeded(name) }
}
