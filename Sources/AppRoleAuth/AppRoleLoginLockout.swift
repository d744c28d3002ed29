import Synchronization

/// Vault's user lockout for one AppRole mount (docs/approle.md § Lockout), keyed by role id: `threshold` failed logins of an existing
/// role, each within `counterReset` seconds of the previous one, lock that role id for `duration` seconds; a locked
/// role id's logins are refused before its secret id is checked, and a successful login clears the count.
///
/// ```swift
/// let lockout = AppRoleLoginLockout(now: { clock.seconds })
/// if lockout.isLocked(roleID) { throw LogicalError.forbidden("permission denied") }
/// secretIDValid ? lockout.succeeded(roleID) : lockout.failed(roleID)
/// ```
/// Kept in memory: a restart or another HA node starts with no failures counted.
final class AppRoleLoginLockout: Sendable {
    /// Vault's defaults: 5 failures, a 15-minute lock, counters reset after 15 minutes without a failure.
    static let defaultThreshold = 5
    static let defaultDuration: Double = 15 * 60
    static let defaultCounterReset: Double = 15 * 60

    private struct Failures {
        var count: Int
        var last: Double
    }

    let threshold: Int
    let duration: Double
    let counterReset: Double
    private let now: @Sendable () -> Double
    private let failures = Mutex<[String: Failures]>([:])

    init(
        threshold: Int = defaultThreshold, duration: Double = defaultDuration,
        counterReset: Double = defaultCounterReset, now: @escaping @Sendable () -> Double
    ) {
        self.threshold = threshold
        self.duration = duration
        self.counterReset = counterReset
        self.now = now
    }

    /// Whether `name` is locked now; a lock that has run its time is dropped.
    func isLocked(_ name: String) -> Bool {
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

    /// Counts an invalid secret id for an existing role.
    func failed(_ name: String) {
        let time = now()
        failures.withLock { table in
            if let entry = table[name], time - entry.last < counterReset {
                table[name] = Failures(count: min(entry.count, threshold) + 1, last: time)
            } else {
                table[name] = Failures(count: 1, last: time)
            }
        }
    }

    func succeeded(_ name: String) {
        _ = failures.withLock { $0.removeValue(forKey: name) }
    }

    /// Forgets a deleted role's failures, so a role id reused later starts clean.
    func forget(_ name: String) { succeeded(name) }
}
