/// The rhythm of the HA election (docs/ha.md § Timings), all derived from the lock's time-to-live unless a test
/// shortens them.
///
/// ```swift
/// let timings = HATimings(ttl: .seconds(15))   // renew every 5 s, retry every 1 s, demote 3 s before expiry
/// ```
public struct HATimings: Sendable, Equatable {
    /// The lease's time-to-live.
    public var ttl: Duration
    /// The active node renews its lease this often.
    public var renewInterval: Duration
    /// A standby tries to take the lock (and reads who holds it) this often.
    public var retryInterval: Duration
    /// The active node steps down on its own once no renewal succeeded for `ttl - demotionMargin`, before its lease
    /// can lapse: its writes are fenced anyway, this only stops it answering as active.
    public var demotionMargin: Duration
    /// After `sys/step-down` a node waits this long before competing again (Vault: 10 s), so another node wins.
    public var stepDownPause: Duration

    public init(ttl: Duration) {
        self.ttl = ttl
        self.renewInterval = ttl / 3
        self.retryInterval = min(.seconds(1), ttl / 3)
        self.demotionMargin = ttl / 5
        self.stepDownPause = .seconds(10)
    }
}
